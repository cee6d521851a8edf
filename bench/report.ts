import type { FirstCallsResult } from './boot';
import type { BurstResult } from './burst';
import type { CapacityResult } from './capacity';
import type { EngineResult } from './engine';
import type { StreamFormat } from './http-client';
import type { LatencyResult } from './latency';
import type { NoisyNeighbourResult } from './noisy-neighbour';
import type { ResourceSample } from './resources';
import type { Summary } from './stats';
import type { ThroughputResult } from './throughput';
import type { TwilioCapacityResult } from './twilio-capacity';

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
      'p95 ms',
      'max ms',
      'Worst margin ms',
      'live p99 ms',
      'RSS peak MB',
      'Wall s',
      'Did not keep up',
    ],
    rows: result.levels.map((level) => [
      String(level.streams),
      `${level.keptUp}/${level.streams}`,
      ms(level.ttfbMs.p50),
      ms(level.ttfbMs.p95),
      level.worstTtfbMs === null ? '-' : ms(level.worstTtfbMs),
      level.worstLeadMs === null ? '-' : signedMs(level.worstLeadMs),
      ms(level.resources.liveMs.p99),
      mb(level.resources.rssPeakMb),
      (level.wallMs / 1000).toFixed(1),
      failures(level.failures),
    ]),
    align: [...Array<'right'>(9).fill('right'), 'left'],
  };
}

/** First byte at chosen levels of the capacity test ("not run" past the first failed level). */
export function firstByteTable(result: CapacityResult, at: readonly number[]): Table {
  return {
    headers: ['Streams', 'Kept up', 'First byte p50 ms', 'p95 ms', 'max ms'],
    rows: at.map((n) => {
      const level = result.levels.find((l) => l.streams === n);
      if (!level) return [String(n), 'not run', '-', '-', '-'];
      return [
        String(n),
        `${level.keptUp}/${n}`,
        ms(level.ttfbMs.p50),
        ms(level.ttfbMs.p95),
        ms(level.ttfbMs.max),
      ];
    }),
    align: Array<'right'>(5).fill('right'),
  };
}

/** Liveness latency and RSS during one level of the capacity test. */
export function resourcesLine(result: CapacityResult, at: number): string {
  const level = result.levels.find((l) => l.streams === at);
  if (!level) {
    return `During the ${at}-stream level: not run (the capacity test stopped before it).`;
  }
  return `During the ${at}-stream level: ${describeResources(level.resources)}.`;
}

export function describeResources(r: ResourceSample): string {
  const failed = r.liveFailures ? `, ${r.liveFailures} probes failed` : '';
  return (
    `GET /v1/health/live p50 ${ms(r.liveMs.p50)} ms, p99 ${ms(r.liveMs.p99)} ms, ` +
    `max ${ms(r.liveMs.max)} ms (${r.liveMs.n} probes, one every ~50 ms${failed}); ` +
    `service RSS peak ${mb(r.rssPeakMb)} MB (${r.rssSamples} readings of VmRSS, every ~250 ms)`
  );
}

export function bootLine(result: FirstCallsResult): string {
  const failed = Object.keys(result.failures).length
    ? `; no audio: ${failures(result.failures)}`
    : '';
  return (
    `First ${result.calls} simultaneous calls to a fresh process (${chars(result.text.length)}, ` +
    `mu-law, before any other synthesis): first byte ${summaryMs(result.ttfbMs)}${failed}. ` +
    `The process listened ${seconds(result.listeningAfterMs)} after it was spawned, and ` +
    `GET /v1/health/ready answered 200 ${seconds(result.readyAfterMs)} after that.`
  );
}

export function noisyTable(result: NoisyNeighbourResult): Table {
  const refused = Object.keys(result.bRefused).length ? failures(result.bRefused) : 'none';
  return {
    headers: ['Tenant', 'Requests', 'Result'],
    rows: [
      [
        'A (long streams)',
        String(result.aStreams),
        `${result.aKeptUp}/${result.aStreams} kept up` +
          (result.aKeptUp < result.aStreams ? `; ${failures(result.aFailures)}` : ''),
      ],
      [
        'B (short requests)',
        String(result.bRequests),
        `first byte ${summaryMs(result.bTtfbMs)}; non-200: ${refused}` +
          (result.bIncomplete ? `; ${result.bIncomplete} bodies cut short` : ''),
      ],
    ],
    align: ['left', 'right', 'left'],
  };
}

export function throughputTable(results: ThroughputResult[]): Table {
  return {
    headers: [
      'Service',
      'Connections',
      'Seconds',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
    ],
    rows: results.map((r) => [
      r.target,
      String(r.connections),
      r.durationS.toFixed(0),
      r.reqPerS.toFixed(0),
      ms(r.latencyP50Ms),
      ms(r.latencyP99Ms),
      String(r.non2xx),
      String(r.errors),
    ]),
    align: ['left', ...Array<'right'>(7).fill('right')],
  };
}

export function throughputVerdict(results: ThroughputResult[]): string {
  const ours = results.find((r) => r.target === 'ours')!;
  const predecessor = results.find((r) => r.target === 'predecessor');
  const floor = results.find((r) => r.target === 'nest floor');
  const base = `Authenticated GET /v1/voices: ${ours.reqPerS.toFixed(0)} req/s, p99 ${ms(ours.latencyP99Ms)} ms`;
  const floorLine = floor
    ? ` The same body from a bare NestJS app on Express (one route; no auth, limits, logs or ` +
      `metrics): ${floor.reqPerS.toFixed(0)} req/s` +
      (predecessor
        ? `, ${(floor.reqPerS / predecessor.reqPerS).toFixed(2)}x the predecessor`
        : '') +
      `; ours is ${(ours.reqPerS / floor.reqPerS).toFixed(2)}x that floor.`
    : '';
  if (!predecessor)
    return `${base} (PREDECESSOR_URL unset: the predecessor was not measured).${floorLine}`;
  const ratio = ours.reqPerS / predecessor.reqPerS;
  return (
    `${base}; the predecessor ${predecessor.reqPerS.toFixed(0)} req/s, ` +
    `p99 ${ms(predecessor.latencyP99Ms)} ms: ratio ${ratio.toFixed(2)}x.${floorLine}`
  );
}

export function twilioTable(result: TwilioCapacityResult): Table {
  return {
    headers: [
      'Sessions',
      'Kept up',
      'First media p50 ms',
      'p95 ms',
      'max ms',
      'Worst margin ms',
      'live p99 ms',
      'RSS peak MB',
      'Wall s',
      'Did not keep up',
    ],
    rows: result.levels.map((level) => [
      String(level.sessions),
      `${level.keptUp}/${level.sessions}`,
      signedMs(level.firstMediaMs.p50),
      signedMs(level.firstMediaMs.p95),
      signedMs(level.firstMediaMs.max),
      level.worstLeadMs === null ? '-' : signedMs(level.worstLeadMs),
      ms(level.resources.liveMs.p99),
      mb(level.resources.rssPeakMb),
      (level.wallMs / 1000).toFixed(1),
      failures(level.failures),
    ]),
    align: [...Array<'right'>(9).fill('right'), 'left'],
  };
}

export function twilioVerdict(result: TwilioCapacityResult, at: readonly number[]): string {
  const failed =
    result.firstFailedLevel === null
      ? `no level failed; stopped by ${result.stoppedBy}`
      : `${result.firstFailedLevel} did not`;
  const figures = at.map((n) => {
    const level = result.levels.find((l) => l.sessions === n);
    if (!level) return `at ${n}: not run`;
    const { p50, p95 } = level.firstMediaMs;
    return `at ${n}: p50 ${signedMs(p50)} / p95 ${signedMs(p95)} ms`;
  });
  return (
    `Twilio capacity: ${result.capacity} simultaneous sessions kept up (${failed}). ` +
    `First media after the first sentence was complete, ${figures.join('; ')}.`
  );
}

export function capacityVerdict(result: CapacityResult, label = 'Capacity'): string {
  const failed =
    result.firstFailedLevel === null
      ? `no level failed; stopped by ${result.stoppedBy}`
      : `${result.firstFailedLevel} did not`;
  const after = result.levels.filter(
    (l) => result.firstFailedLevel !== null && l.streams > result.firstFailedLevel,
  );
  const also = after.length
    ? ` The ${after.map((l) => l.streams).join(', ')}-stream level was run as well, for the figures at that load.`
    : '';
  // A run whose levels start above 1 and whose first level failed says so, not "0".
  const lowest = result.levels[0]?.streams ?? 0;
  const kept =
    result.capacity === 0 && lowest > 1 ? `fewer than ${lowest}` : String(result.capacity);
  return `${label}: ${kept} simultaneous mu-law 8 kHz streams kept up (${failed}).${also}`;
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

function failures(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([reason, count]) => `${count}x ${reason}`)
    .join(', ');
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function summaryMs(s: Summary): string {
  if (s.n === 0) return 'none arrived';
  return `p50 ${ms(s.p50)} / p95 ${ms(s.p95)} ms (max ${ms(s.max)}, n = ${s.n})`;
}

function mb(value: number | null): string {
  return value === null ? '-' : value.toFixed(0);
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

export function burstTable(result: BurstResult): Table {
  const perCall = (value: number | null) =>
    value === null ? '-' : (value / result.calls).toFixed(2);
  return {
    headers: [
      'Round',
      'Calls',
      'Admitted',
      'First byte p50 ms',
      'p95 ms',
      'max ms',
      'Main thread CPU ms/call',
      'Other threads CPU ms/call',
      'Client CPU ms',
      'Not answered 200',
    ],
    rows: result.rounds.map((r, i) => [
      String(i + 1),
      String(result.calls),
      String(r.admitted),
      ms(r.ttfbMs.p50),
      ms(r.ttfbMs.p95),
      ms(r.ttfbMs.max),
      perCall(r.mainCpuMs),
      perCall(r.otherCpuMs),
      r.clientCpuMs.toFixed(0),
      failures(r.refused),
    ]),
    align: [
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'left',
    ],
  };
}

/**
 * What the measured CPU per call means for a burst of `n` calls on `cpus` cores: a lower bound on
 * when the last of them can have its first audio, from the median round.
 */
export function burstVerdict(
  result: BurstResult,
  n: number,
  cpus: number,
  targetMs: number,
): string {
  const measured = result.rounds.filter((r) => r.mainCpuMs !== null && r.otherCpuMs !== null);
  if (measured.length === 0) return 'CPU per call: not measured (no /proc).';
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  const main = median(measured.map((r) => r.mainCpuMs! / result.calls));
  const other = median(measured.map((r) => r.otherCpuMs! / result.calls));
  const serialMs = n * main;
  const sharedMs = (n * (main + other)) / cpus;
  const budget = (targetMs * cpus) / (n * 0.95);
  return (
    `Rounds of ${result.calls} calls of "${result.text}" started together, CPU time of the ` +
    `service's threads from /proc (user + system) over each round, per call: main thread ` +
    `${main.toFixed(2)} ms (HTTP, auth, limits, scheduling, moving bytes; one thread, so serial), ` +
    `other threads ${other.toFixed(2)} ms (the engine workers rendering the sentence, garbage ` +
    `collection, libuv), median of ${measured.length} rounds. At that cost, ${n} calls starting ` +
    `together need at least ${ms(serialMs)} ms of the main thread and ${ms(sharedMs)} ms of all ` +
    `${cpus} cores before the last of them can have its first audio; a first byte p95 of ` +
    `${targetMs} ms at ${n} calls needs at most about ${budget.toFixed(1)} ms of CPU per call in ` +
    `all (measured: ${(main + other).toFixed(2)}), and the client's own CPU (the column above) ` +
    `shares the same cores.`
  );
}
