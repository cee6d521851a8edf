import { setMaxListeners } from 'node:events';
import type { BenchClient } from './http-client';
import { summarize, type Summary } from './stats';

export interface FirstCallsOptions {
  calls: number;
  text: string;
  /** Calls without a first byte by then are aborted and counted as failures. */
  timeoutMs: number;
}

export interface FirstCallsResult {
  calls: number;
  text: string;
  /** From the service process being spawned to its "listening" line, and to ready. */
  listeningAfterMs: number;
  readyAfterMs: number;
  /** Over the calls that got a first byte. */
  ttfbMs: Summary;
  /** Calls that got no audio, by reason (`HTTP 503 engine_busy`, `no first byte by cut-off`). */
  failures: Record<string, number>;
}

/**
 * The first simultaneous calls a freshly started process gets, before any other synthesis: only
 * the first byte matters here, so each call is hung up as soon as its audio starts.
 */
export async function measureFirstCalls(
  client: BenchClient,
  token: string,
  boot: { listeningAfterMs: number; readyAfterMs: number },
  options: FirstCallsOptions,
): Promise<FirstCallsResult> {
  const cutoff = new AbortController();
  setMaxListeners(options.calls + 1, cutoff.signal);
  const timer = setTimeout(() => cutoff.abort(), options.timeoutMs);
  const traces = await Promise.all(
    Array.from({ length: options.calls }, () => {
      const hangUp = new AbortController();
      const signal = AbortSignal.any([cutoff.signal, hangUp.signal]);
      return client.stream(token, { text: options.text, format: 'mulaw' }, signal, () =>
        hangUp.abort(),
      );
    }),
  );
  clearTimeout(timer);

  const failures: Record<string, number> = {};
  const ttfbs: number[] = [];
  for (const trace of traces) {
    if (trace.ttfbMs !== null) {
      ttfbs.push(trace.ttfbMs);
      continue;
    }
    const reason =
      trace.status === 0 || trace.status === 200
        ? 'no first byte by cut-off'
        : `HTTP ${trace.status} ${trace.errorCode ?? ''}`.trim();
    failures[reason] = (failures[reason] ?? 0) + 1;
  }
  return {
    calls: options.calls,
    text: options.text,
    ...boot,
    ttfbMs: summarize(ttfbs),
    failures,
  };
}
