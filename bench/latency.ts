import { performance } from 'node:perf_hooks';
import { type BenchClient, BYTES_PER_SECOND, type StreamFormat } from './http-client';
import { summarize, type Summary } from './stats';

export interface LatencyCase {
  text: string;
  format: StreamFormat;
  runs: number;
  warmupRuns: number;
  /**
   * Past this many ms no further timed run starts once one is done, so a server that paces its
   * streams to real time (about a minute for the long text) cannot stretch the bench to an hour.
   */
  budgetMs: number;
}

export interface LatencyResult {
  chars: number;
  format: StreamFormat;
  runs: number;
  /** Requests that did not return a complete 200 stream; left out of the figures. */
  failed: number;
  failures: string[];
  ttfbMs: Summary;
  totalMs: Summary;
  /** Audio per response, from its byte count. */
  audioMs: number;
  /** Mean total time / audio duration: below 1 is faster than real time. */
  rtf: number;
  /** Audio duration / mean total time ("× real time"), the inverse of `rtf`. */
  speed: number;
}

/** Sequential requests on one keep-alive connection, after untimed warm-up requests. */
export async function measureLatency(
  client: BenchClient,
  token: string,
  c: LatencyCase,
): Promise<LatencyResult> {
  const ttfb: number[] = [];
  const total: number[] = [];
  const audio: number[] = [];
  const failures: string[] = [];
  // Warm-ups only need the path and the engine warm: each hangs up at its first byte.
  for (let run = 0; run < c.warmupRuns; run++) {
    const hangUp = new AbortController();
    await client.stream(token, { text: c.text, format: c.format }, hangUp.signal, () =>
      hangUp.abort(),
    );
  }
  const started = performance.now();
  let timed = 0;
  while (timed < c.runs && (timed === 0 || performance.now() - started < c.budgetMs)) {
    const trace = await client.stream(token, { text: c.text, format: c.format });
    timed += 1;
    if (!trace.complete || trace.ttfbMs === null || trace.totalMs === null) {
      failures.push(
        `HTTP ${trace.status} ${trace.errorCode ?? trace.error ?? 'incomplete body'}`.trim(),
      );
      continue;
    }
    ttfb.push(trace.ttfbMs);
    total.push(trace.totalMs);
    audio.push((trace.bytes * 1000) / BYTES_PER_SECOND[c.format]);
  }
  if (total.length === 0) {
    throw new Error(
      `every ${c.format} request for ${c.text.length} characters failed: ${failures[0]}`,
    );
  }
  const totalMs = summarize(total);
  const audioMs = summarize(audio).mean;
  return {
    chars: c.text.length,
    format: c.format,
    runs: timed,
    failed: failures.length,
    failures: [...new Set(failures)],
    ttfbMs: summarize(ttfb),
    totalMs,
    audioMs,
    rtf: totalMs.mean / audioMs,
    speed: audioMs / totalMs.mean,
  };
}
