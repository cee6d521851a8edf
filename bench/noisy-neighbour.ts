import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KeepUpRule, streamBurst } from './capacity';
import type { BenchClient, StreamTrace } from './http-client';
import { summarize, type Summary } from './stats';

export interface NoisyNeighbourOptions {
  /** Tenant A: this many long streams, all started at once. */
  aStreams: number;
  aText: string;
  /** A lone stream's bytes for `aText`, and the cut-off of A's streams. */
  aReferenceBytes: number;
  aLimitMs: number;
  /** Tenant B starts this long after A. */
  bDelayMs: number;
  /** Tenant B: this many short requests, one every `bSpacingMs`. */
  bRequests: number;
  bSpacingMs: number;
  bText: string;
  rule: KeepUpRule;
}

export interface NoisyNeighbourResult {
  aStreams: number;
  aKeptUp: number;
  aFailures: Record<string, number>;
  bRequests: number;
  bText: string;
  /** B's first byte over its 200 answers. */
  bTtfbMs: Summary;
  /** B's requests that did not get a 200, by status and error code. */
  bRefused: Record<string, number>;
  /** B's 200 answers whose body did not end normally. */
  bIncomplete: number;
}

/**
 * One tenant's burst against another tenant's ordinary traffic: does B still get its audio at
 * once while A's streams fill the engine, and do A's streams still keep up?
 */
export async function measureNoisyNeighbour(
  client: BenchClient,
  tokens: { a: string; b: string },
  options: NoisyNeighbourOptions,
): Promise<NoisyNeighbourResult> {
  const burstA = streamBurst(
    client,
    tokens.a,
    {
      streams: options.aStreams,
      text: options.aText,
      referenceBytes: options.aReferenceBytes,
      limitMs: options.aLimitMs,
    },
    options.rule,
  );
  await sleep(options.bDelayMs);

  const startB = performance.now();
  const requestsB: Array<Promise<StreamTrace>> = [];
  for (let i = 0; i < options.bRequests; i++) {
    await sleep(Math.max(0, startB + i * options.bSpacingMs - performance.now()));
    requestsB.push(client.stream(tokens.b, { text: options.bText, format: 'mulaw' }));
  }
  const tracesB = await Promise.all(requestsB);
  const a = await burstA;

  const bRefused: Record<string, number> = {};
  const ttfbs: number[] = [];
  let bIncomplete = 0;
  for (const trace of tracesB) {
    if (trace.status !== 200) {
      const reason = `HTTP ${trace.status || 'none'} ${trace.errorCode ?? trace.error ?? ''}`;
      bRefused[reason.trim()] = (bRefused[reason.trim()] ?? 0) + 1;
      continue;
    }
    if (trace.ttfbMs !== null) ttfbs.push(trace.ttfbMs);
    if (!trace.complete) bIncomplete += 1;
  }
  return {
    aStreams: options.aStreams,
    aKeptUp: a.keptUp,
    aFailures: a.failures,
    bRequests: options.bRequests,
    bText: options.bText,
    bTtfbMs: summarize(ttfbs),
    bRefused,
    bIncomplete,
  };
}
