import { apiJson, describeError } from './api';
import { $, el } from './dom';

interface TenantStats {
  tenant_id: string;
  name: string;
  usage: { month: { requests: number; audio_seconds: number } };
  quota: {
    monthly_quota_seconds: number | null;
    used_seconds: number;
    remaining_seconds: number | null;
  };
}

interface UsageDay {
  key: string;
  requests: number;
  characters: number;
  audio_seconds: number;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The Usage screen: this month's audio against the quota, and audio seconds per day. */
export class UsagePanel {
  constructor() {
    $('usage-refresh').addEventListener('click', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const summary = $('usage-summary');
    try {
      const [stats, usage] = await Promise.all([
        apiJson<TenantStats>('/v1/tenant/stats'),
        apiJson<{ series: UsageDay[] }>('/v1/usage?group_by=day'),
      ]);
      const { used_seconds, monthly_quota_seconds: quota } = stats.quota;
      const progress = $<HTMLProgressElement>('usage-quota');
      if (quota === null) {
        summary.textContent = `${used_seconds.toFixed(1)} s of audio this month (${stats.usage.month.requests} requests); no monthly quota.`;
        progress.hidden = true;
      } else {
        const pct = quota > 0 ? Math.min(100, (used_seconds / quota) * 100) : 100;
        summary.textContent = `${used_seconds.toFixed(1)} s of ${quota} s of audio used this month (${pct.toFixed(1)}%).`;
        progress.max = quota;
        progress.value = Math.min(used_seconds, quota);
        progress.setAttribute('aria-label', `Quota used: ${pct.toFixed(0)}%`);
        progress.hidden = false;
      }
      summary.classList.remove('muted');
      summary.dataset.usedSeconds = String(used_seconds);
      this.renderDays(monthDays(usage.series));
    } catch (err) {
      summary.textContent = describeError(err);
      summary.classList.add('muted');
    }
  }

  clear(): void {
    $('usage-summary').textContent = 'Enter an API key to see your usage.';
    $('usage-figure').hidden = true;
    $('usage-details').hidden = true;
    $('usage-quota').hidden = true;
  }

  private renderDays(days: UsageDay[]): void {
    $('usage-chart').replaceChildren(barChart(days));
    $('usage-figure').hidden = false;
    const rows = days.map((d) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, d.key),
        el('td', {}, String(d.requests)),
        el('td', {}, String(d.characters)),
        el('td', {}, d.audio_seconds.toFixed(1)),
      ),
    );
    $('usage-table')
      .querySelector('tbody')!
      .replaceChildren(...rows);
    $('usage-details').hidden = false;
  }
}

/** Every day from the 1st of this month (UTC) to today, zero where nothing was used. */
function monthDays(series: UsageDay[]): UsageDay[] {
  const byDay = new Map(series.map((d) => [d.key.slice(0, 10), d]));
  const today = new Date();
  const out: UsageDay[] = [];
  for (let day = 1; day <= today.getUTCDate(); day++) {
    const key = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), day))
      .toISOString()
      .slice(0, 10);
    out.push(byDay.get(key) ?? { key, requests: 0, characters: 0, audio_seconds: 0 });
  }
  return out;
}

/** A bar per day, drawn as SVG (a dozen elements; no library needed for this). */
function barChart(days: UsageDay[]): SVGSVGElement {
  const width = 620;
  const height = 180;
  const pad = { top: 14, right: 8, bottom: 24, left: 44 };
  const max = Math.max(1, ...days.map((d) => d.audio_seconds));
  const slot = (width - pad.left - pad.right) / Math.max(days.length, 1);
  const plotHeight = height - pad.top - pad.bottom;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  const total = days.reduce((n, d) => n + d.audio_seconds, 0);
  svg.setAttribute(
    'aria-label',
    `Audio seconds per day this month: ${total.toFixed(1)} s in total, at most ${max.toFixed(1)} s in one day.`,
  );
  svg.append(
    svgEl('line', {
      x1: String(pad.left),
      x2: String(width - pad.right),
      y1: String(height - pad.bottom),
      y2: String(height - pad.bottom),
      class: 'axis',
    }),
    svgText(pad.left - 6, pad.top + 4, `${max.toFixed(max < 10 ? 1 : 0)} s`, 'end'),
    svgText(pad.left - 6, height - pad.bottom, '0', 'end'),
  );
  days.forEach((d, i) => {
    const h = (d.audio_seconds / max) * plotHeight;
    const x = pad.left + i * slot + slot * 0.15;
    const bar = svgEl('rect', {
      x: x.toFixed(1),
      y: (height - pad.bottom - h).toFixed(1),
      width: (slot * 0.7).toFixed(1),
      height: h.toFixed(1),
      class: 'bar',
    });
    const title = svgEl('title', {});
    title.textContent = `${d.key}: ${d.audio_seconds.toFixed(1)} s, ${d.requests} requests`;
    bar.append(title);
    svg.append(bar);
    const dayOfMonth = Number(d.key.slice(8, 10));
    if (i === 0 || i === days.length - 1 || dayOfMonth % 5 === 0)
      svg.append(svgText(x + slot * 0.35, height - 8, String(dayOfMonth), 'middle'));
  });
  return svg;
}

function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function svgText(
  x: number,
  y: number,
  text: string,
  anchor: 'start' | 'middle' | 'end',
): SVGTextElement {
  const t = svgEl('text', { x: x.toFixed(1), y: String(y), 'text-anchor': anchor, class: 'label' });
  t.textContent = text;
  return t;
}
