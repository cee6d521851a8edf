import type { CapacityLevel, CapacityResult } from './capacity';
import type { EngineResult } from './engine';
import type { StreamFormat } from './http-client';
import type { LatencyResult } from './latency';

export const MARKDOWN_START = '<!-- bench:start -->';
export const MARKDOWN_END = '<!-- bench:end -->';

export interface Table {
  headers: string[];
  rows: string[][];
  /** Per column: numbers are right-aligned, words left-aligned. */
  align: Array<'left' | 'right'>;
}

const FORMAT_LABEL: Record<StreamFormat, string> = {
  pcm: 'HTTP pcm 22.05 kHz',
  mulaw: 'HTTP mu-law 8 kHz',
};

/** HTTP rows for each text with the engine-alone row for the same text right under them. */
export function latencyTable(http: LatencyResult[], engine: EngineResult[]): Table {
  const rows: string[][] = [];
  for (const e of engine) {
    for (const h of http.filter((r) => r.chars === e.chars)) {
      rows.push([
        FORMAT_LABEL[h.format],
        chars(h.chars),
        runs(h.runs, h.failed),
        ms(h.ttfbMs.p50),
        ms(h.ttfbMs.p95),
        ms(h.ttfbMs.mean),
        signedMs(h.ttfbMs.p50 - e.firstChunkMs.p50),
        ms(h.totalMs.p50),
        ms(h.totalMs.p95),
        ms(h.totalMs.mean),
        seconds(h.audioMs),
        h.rtf.toFixed(4),
        times(h.speed),
      ]);
    }
    rows.push([
      'engine alone',
      chars(e.chars),
      runs(e.runs, 0),
      ms(e.firstChunkMs.p50),
      ms(e.firstChunkMs.p95),
      ms(e.firstChunkMs.mean),
      '',
      ms(e.totalMs.p50),
      ms(e.totalMs.p95),
      ms(e.totalMs.mean),
      seconds(e.audioMs),
      e.rtf.toFixed(4),
      times(e.speed),
    ]);
  }
  return {
    headers: [
      'Path',
      'Text',
      'Runs',
      'First byte p50 ms',
      'p95 ms',
      'mean ms',
      'p50 over engine',
      'Total p50 ms',
      'p95 ms',
      'mean ms',
      'Audio',
      'RTF',
      'Speed',
    ],
    rows,
    align: ['left', 'left', ...Array<'right'>(11).fill('right')],
  };
}

export function capacityTable(result: CapacityResult): Table {
  return {
    headers: [
      'Streams',
      'Kept up',
      'First byte p50 ms',
      'Worst first byte ms',
      'Worst margin ms',
      'Wall s',
      'Did not keep up',
    ],
    rows: result.levels.map((level) => [
      String(level.streams),
      `${level.keptUp}/${level.streams}`,
      ms(level.ttfbMs.p50),
      level.worstTtfbMs === null ? '-' : ms(level.worstTtfbMs),
      level.worstLeadMs === null ? '-' : signedMs(level.worstLeadMs),
      (level.wallMs / 1000).toFixed(1),
      failures(level),
    ]),
    align: [...Array<'right'>(6).fill('right'), 'left'],
  };
}

export function capacityVerdict(result: CapacityResult): string {
  const failed =
    result.firstFailedLevel === null
      ? `no level failed; stopped by ${result.stoppedBy}`
      : `${result.firstFailedLevel} did not`;
  return `Capacity: ${result.capacity} simultaneous mu-law 8 kHz streams kept up (${failed}).`;
}

/** Space-padded columns for the terminal. */
export function renderText(table: Table): string {
  const cells = [table.headers, ...table.rows];
  const widths = table.headers.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]): string =>
    row
      .map((cell, c) =>
        table.align[c] === 'right' ? cell.padStart(widths[c]) : cell.padEnd(widths[c]),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table.headers), rule, ...table.rows.map(line)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const rule = table.align.map((a) => (a === 'right' ? '---:' : ':---'));
  const line = (row: string[]): string => `| ${row.join(' | ')} |`;
  return [line(table.headers), line(rule), ...table.rows.map(line)].join('\n');
}

function failures(level: CapacityLevel): string {
  return Object.entries(level.failures)
    .map(([reason, count]) => `${count}x ${reason}`)
    .join(', ');
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function signedMs(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return `${value < 0 ? '-' : '+'}${ms(Math.abs(value))}`;
}

function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}

function times(speed: number): string {
  return `${speed >= 100 ? speed.toFixed(0) : speed.toFixed(1)}x`;
}

function chars(n: number): string {
  return `${n.toLocaleString('en-US')} chars`;
}

function runs(total: number, failed: number): string {
  return failed > 0 ? `${total - failed}/${total}` : String(total);
}
