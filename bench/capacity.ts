import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchClient, BYTES_PER_SECOND, type StreamTrace } from './http-client';
import type { ResourceSample, ResourceSampler } from './resources';
import { summarize, type Summary } from './stats';

/** When a stream counts as "keeping up"; see `describeKeepUpRule`. */
export interface KeepUpRule {
  maxTtfbMs: number;
  /** How far playback may get ahead of delivery: the jitter buffer a phone player keeps. */
  jitterMs: number;
  /** A stream is complete when it carries at least this share of a lone stream's bytes. */
  minByteShare: number;
}

export const KEEP_UP_RULE: KeepUpRule = { maxTtfbMs: 1000, jitterMs: 250, minByteShare: 0.99 };

const FORMAT = 'mulaw';
const BYTES_PER_S = BYTES_PER_SECOND[FORMAT];

export function describeKeepUpRule(rule: KeepUpRule): string[] {
  return [
    `A mu-law 8 kHz stream (${BYTES_PER_S} bytes per second of audio) keeps up when all of these hold:`,
    `  1. HTTP 200 and the chunked body ends normally with >= ${rule.minByteShare * 100}% of the bytes a lone stream gets;`,
    `  2. time to first byte <= ${rule.maxTtfbMs} ms;`,
    `  3. playback that starts at the first byte never runs more than ${rule.jitterMs} ms ahead of delivery:`,
    `     lead = (bytes received so far / ${BYTES_PER_S}) s - (time since first byte), taken just before`,
    `     every later arrival (and at the cut-off if the stream is still open), must stay >= -${rule.jitterMs} ms.`,
    `     Margin = the smallest lead; a player with a ${rule.jitterMs} ms jitter buffer never starves.`,
  ];
}

export interface StreamVerdict {
  ttfbMs: number | null;
  /** Smallest lead of delivery over playback, in ms; null without any audio. */
  worstLeadMs: number | null;
  /** Why the stream did not keep up; undefined when it did. */
  failure?: string;
}

/**
 * `cutoffMs`: when the bench stopped waiting, relative to this request's start; a stream still
 * open then is judged on what it had delivered by that moment.
 */
export function judgeStream(
  trace: StreamTrace,
  referenceBytes: number,
  cutoffMs: number | null,
  rule: KeepUpRule,
): StreamVerdict {
  const worstLeadMs = worstLead(trace, trace.complete ? null : cutoffMs);
  const verdict = (failure?: string): StreamVerdict => ({
    ttfbMs: trace.ttfbMs,
    worstLeadMs,
    failure,
  });

  if (trace.status === 0) return verdict(cutoffMs !== null ? 'no answer by cut-off' : 'no answer');
  if (trace.status !== 200) return verdict(`HTTP ${trace.status} ${trace.errorCode ?? ''}`.trim());
  if (!trace.complete) return verdict(cutoffMs !== null ? 'unfinished at cut-off' : 'truncated');
  if (trace.bytes < referenceBytes * rule.minByteShare) return verdict('short body');
  if (trace.ttfbMs === null || trace.ttfbMs > rule.maxTtfbMs) {
    return verdict(`first byte > ${rule.maxTtfbMs} ms`);
  }
  if (worstLeadMs === null || worstLeadMs < -rule.jitterMs) return verdict('fell behind');
  return verdict();
}

function worstLead(trace: StreamTrace, cutoffMs: number | null): number | null {
  const { arrivals } = trace;
  if (arrivals.length === 0) return null;
  const first = arrivals[0].atMs;
  const leadAt = (atMs: number, bytesBefore: number): number =>
    (bytesBefore * 1000) / BYTES_PER_S - (atMs - first);
  let worst = leadAt(first, arrivals[0].bytes);
  for (let i = 1; i < arrivals.length; i++) {
    worst = Math.min(worst, leadAt(arrivals[i].atMs, arrivals[i - 1].bytes));
  }
  if (cutoffMs !== null) worst = Math.min(worst, leadAt(cutoffMs, trace.bytes));
  return worst;
}

export interface CapacityLevel {
  streams: number;
  keptUp: number;
  passed: boolean;
  /** Over the streams that got a first byte. */
  ttfbMs: Summary;
  worstTtfbMs: number | null;
  worstLeadMs: number | null;
  /** Level start to the last stream settling (or the cut-off), in ms. */
  wallMs: number;
  /** Streams that did not keep up, by reason. */
  failures: Record<string, number>;
  /** Liveness latency and service RSS while the level ran. */
  resources: ResourceSample;
}

export interface CapacityOptions {
  text: string;
  levels: readonly number[];
  /**
   * Levels measured even after a level failed (within the budget): the figures asked at a fixed
   * load (first byte, liveness, RSS at 200 streams) whatever the capacity turns out to be.
   */
  referenceLevels?: readonly number[];
  /** A level is cut off this long after the audio duration. */
  levelSlackMs: number;
  /** No level starts unless it can end within this budget (from the start of the test). */
  budgetMs: number;
  pauseBetweenLevelsMs: number;
  rule: KeepUpRule;
  /** Started with each level, stopped when its last stream settles. */
  sampleResources: () => ResourceSampler;
}

export interface CapacityResult {
  rule: KeepUpRule;
  chars: number;
  audioMs: number;
  referenceBytes: number;
  /** Each level is cut off this long after it starts. */
  levelLimitMs: number;
  levels: CapacityLevel[];
  /** Largest level at which every stream kept up; 0 when none did. */
  capacity: number;
  firstFailedLevel: number | null;
  stoppedBy: 'a failed level' | 'the last level' | 'the time budget';
}

/** Increasing numbers of simultaneous streams until one of them does not keep up. */
export async function measureCapacity(
  client: BenchClient,
  /** One tenant's key, or several: the streams of a level take them in turn. */
  token: string | readonly string[],
  options: CapacityOptions,
): Promise<CapacityResult> {
  const started = performance.now();
  const { referenceBytes, audioMs, levelLimitMs } = await referenceStream(
    client,
    typeof token === 'string' ? token : token[0],
    options.text,
    options.levelSlackMs,
  );

  const levels: CapacityLevel[] = [];
  let stoppedBy: CapacityResult['stoppedBy'] = 'the last level';
  for (const streams of options.levels) {
    const failed = stoppedBy === 'a failed level';
    // Past a failed level only the reference levels are run: more streams only fail more.
    if (failed && !options.referenceLevels?.includes(streams)) continue;
    if (performance.now() - started + levelLimitMs > options.budgetMs) {
      if (!failed) stoppedBy = 'the time budget';
      break;
    }
    const level = await runLevel(client, token, streams, referenceBytes, levelLimitMs, options);
    levels.push(level);
    if (!level.passed && !failed) stoppedBy = 'a failed level';
    await sleep(options.pauseBetweenLevelsMs);
  }

  // The capacity is the last level that kept up before the first that did not.
  const firstFailed = levels.findIndex((l) => !l.passed);
  const passed = (firstFailed < 0 ? levels : levels.slice(0, firstFailed)).filter((l) => l.passed);
  return {
    rule: options.rule,
    chars: options.text.length,
    audioMs,
    referenceBytes,
    levelLimitMs,
    levels,
    capacity: passed.at(-1)?.streams ?? 0,
    firstFailedLevel: levels.find((l) => !l.passed)?.streams ?? null,
    stoppedBy,
  };
}

/** A lone stream of `text`: its bytes and audio, and when a level of such streams is cut off. */
export async function referenceStream(
  client: BenchClient,
  token: string,
  text: string,
  levelSlackMs: number,
): Promise<{ referenceBytes: number; audioMs: number; levelLimitMs: number }> {
  const referenceBytes = await loneStreamBytes(client, token, text);
  const audioMs = (referenceBytes * 1000) / BYTES_PER_S;
  return { referenceBytes, audioMs, levelLimitMs: audioMs + levelSlackMs };
}

/** The mu-law bytes a lone stream of `text` carries: what "complete" is judged against. */
export async function loneStreamBytes(
  client: BenchClient,
  token: string,
  text: string,
): Promise<number> {
  const lone = await client.stream(token, { text, format: FORMAT });
  if (!lone.complete) {
    throw new Error(`reference stream failed: HTTP ${lone.status} ${lone.errorCode ?? ''}`);
  }
  return lone.bytes;
}

/** Settled streams of one burst, judged by the keep-up rule. */
export interface Burst {
  verdicts: StreamVerdict[];
  keptUp: number;
  failures: Record<string, number>;
  /** Burst start to the last stream settling (or the cut-off), in ms. */
  wallMs: number;
}

/**
 * `streams` requests for `text` started at once, all cut off `limitMs` after the burst starts,
 * each judged against a lone stream's `referenceBytes`.
 */
export async function streamBurst(
  client: BenchClient,
  /** One tenant's key, or several: stream i uses key i mod their number. */
  token: string | readonly string[],
  options: { streams: number; text: string; referenceBytes: number; limitMs: number },
  rule: KeepUpRule,
): Promise<Burst> {
  const cutoff = new AbortController();
  // Every request of the burst listens to this one signal.
  setMaxListeners(options.streams + 1, cutoff.signal);
  const burstStart = performance.now();
  const cut: { at: number | null } = { at: null };
  const timer = setTimeout(() => {
    cut.at = performance.now();
    cutoff.abort();
  }, options.limitMs);

  const tokens = typeof token === 'string' ? [token] : token;
  const runs = Array.from({ length: options.streams }, async (_, i) => {
    const startedAt = performance.now();
    const trace = await client.stream(
      tokens[i % tokens.length],
      { text: options.text, format: FORMAT },
      cutoff.signal,
    );
    return { trace, startedAt, settledAt: performance.now() };
  });
  const settled = await Promise.all(runs);
  clearTimeout(timer);
  const wallMs = performance.now() - burstStart;

  const verdicts = settled.map(({ trace, startedAt, settledAt }) => {
    const cutoffMs = cut.at !== null && settledAt >= cut.at ? cut.at - startedAt : null;
    return judgeStream(trace, options.referenceBytes, cutoffMs, rule);
  });
  const failures: Record<string, number> = {};
  for (const v of verdicts) {
    if (v.failure) failures[v.failure] = (failures[v.failure] ?? 0) + 1;
  }
  return { verdicts, keptUp: verdicts.filter((v) => !v.failure).length, failures, wallMs };
}

async function runLevel(
  client: BenchClient,
  token: string | readonly string[],
  streams: number,
  referenceBytes: number,
  limitMs: number,
  options: CapacityOptions,
): Promise<CapacityLevel> {
  const sampler = options.sampleResources();
  const burst = await streamBurst(
    client,
    token,
    { streams, text: options.text, referenceBytes, limitMs },
    options.rule,
  );
  const resources = await sampler.stop();
  const { verdicts, keptUp, failures, wallMs } = burst;
  const ttfbs = verdicts.flatMap((v) => (v.ttfbMs === null ? [] : [v.ttfbMs]));
  const leads = verdicts.flatMap((v) => (v.worstLeadMs === null ? [] : [v.worstLeadMs]));
  return {
    streams,
    keptUp,
    passed: keptUp === streams,
    ttfbMs: summarize(ttfbs),
    worstTtfbMs: ttfbs.length ? Math.max(...ttfbs) : null,
    worstLeadMs: leads.length ? Math.min(...leads) : null,
    wallMs,
    failures,
    resources,
  };
}
