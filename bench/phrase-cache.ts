import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { BenchClient } from './http-client';
import { summarize, type Summary } from './stats';

export interface PhraseCacheOptions {
  /** Distinct prompts each asked twice: the first answer is a miss, the second a hit. */
  pairs: number;
  /** The replay: this many requests drawn from `phrases` prompts, `concurrency` at a time. */
  replayRequests: number;
  phrases: number;
  concurrency: number;
  /** Whole files of this text (distinct each) until the cache's memory bound is reached. */
  fillText: string;
  fillRequests: number;
  /** One cached prompt asked this many times in a row (and the floor's GET as often) ... */
  repeats: number;
  /** ... with no pause between requests, then with this pause before each. */
  pauseMs: number;
  /** A bare NestJS app (bench/framework-floor-server.ts) answering GET /v1/voices, if running. */
  floorUrl?: URL;
}

/** First byte of the same requests asked one after another, with and without a pause between. */
export interface RepeatTimings {
  backToBackMs: Summary;
  afterPauseMs: Summary;
}

export interface PhraseCacheResult {
  /** Time to first byte of a stream the engine made, and of the same stream from the cache. */
  missTtfbMs: Summary;
  hitTtfbMs: Summary;
  /** One cached prompt asked again and again: a hit with nothing else in flight. */
  hitRepeat: RepeatTimings;
  /**
   * The same patterns against the framework floor (a GET with no auth, limits or logs): what any
   * answer costs on this machine and client before our own work; null when it was not started.
   */
  floor: RepeatTimings | null;
  pauseMs: number;
  replay: {
    requests: number;
    phrases: number;
    concurrency: number;
    hits: number;
    hitRatio: number;
    failed: number;
  };
  /** After the fill: what the cache holds against its bound, and the process's memory. */
  memory: {
    boundMb: number;
    cacheMb: number | null;
    evictions: number | null;
    rssMb: number | null;
  };
}

const PROMPTS = [
  'Please hold while I check that for you.',
  'Thank you for calling, how can I help you today?',
  'Could you spell your last name for me, please?',
  'I am sorry, I did not catch that. Could you say it again?',
  'Your appointment is confirmed.',
];

/** The prompt `i`, distinct per run so a previous run's cache entries never answer. */
const prompt = (run: string, i: number) => `${PROMPTS[i % PROMPTS.length]} Reference ${run} ${i}.`;

/**
 * The phrase cache: first byte of a hit against a miss on loopback, the hit ratio of a replay of
 * prompts drawn from a small set (an agent's repeated lines), and the memory it holds at its bound.
 */
export async function measurePhraseCache(
  client: BenchClient,
  token: string,
  service: { baseUrl: URL; adminKey: string; pid: number | undefined; boundBytes: number },
  options: PhraseCacheOptions,
): Promise<PhraseCacheResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const miss: number[] = [];
  const hit: number[] = [];
  for (let i = 0; i < options.pairs; i++) {
    const text = prompt(`${run}p`, i);
    const first = await client.stream(token, { text, format: 'mulaw', cache: true });
    const second = await client.stream(token, { text, format: 'mulaw', cache: true });
    if (first.cache === 'miss' && first.ttfbMs !== null) miss.push(first.ttfbMs);
    if (second.cache === 'hit' && second.ttfbMs !== null) hit.push(second.ttfbMs);
  }

  // The same hit again and again, back to back and after a pause (a service that sat idle for a
  // moment answers slower on a shared VM: its threads and the client's must wake up first).
  const repeated = prompt(`${run}s`, 0);
  await client.stream(token, { text: repeated, format: 'mulaw', cache: true });
  const hitRepeat = await repeatTimings(options, async () => {
    const trace = await client.stream(token, { text: repeated, format: 'mulaw', cache: true });
    return trace.cache === 'hit' ? trace.ttfbMs : null;
  });
  const floor = options.floorUrl ? await floorTimings(options.floorUrl, token, options) : null;

  // Replay: a fixed pseudo-random draw, so every run asks the same sequence.
  let seed = 7;
  const draw = () => (seed = (seed * 48271) % 2147483647) % options.phrases;
  const sequence = Array.from({ length: options.replayRequests }, draw);
  let hits = 0;
  let failed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < sequence.length) {
        const text = prompt(`${run}r`, sequence[next++]);
        const trace = await client.stream(token, { text, format: 'mulaw', cache: true });
        if (trace.status !== 200 || !trace.complete) failed++;
        else if (trace.cache === 'hit') hits++;
      }
    }),
  );

  for (let i = 0; i < options.fillRequests; i++) {
    await wholeFile(service.baseUrl, token, `${options.fillText} Reference ${run} fill ${i}.`);
  }
  const metrics = await metricsText(service.baseUrl, service.adminKey);
  const metric = (name: string) => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : null;
  };
  const cacheBytes = metric('phrase_cache_bytes');
  return {
    missTtfbMs: summarize(miss),
    hitTtfbMs: summarize(hit),
    hitRepeat,
    floor,
    pauseMs: options.pauseMs,
    replay: {
      requests: sequence.length,
      phrases: options.phrases,
      concurrency: options.concurrency,
      hits,
      hitRatio: hits / sequence.length,
      failed,
    },
    memory: {
      boundMb: service.boundBytes / 1e6,
      cacheMb: cacheBytes === null ? null : cacheBytes / 1e6,
      evictions: metric('phrase_cache_evictions_total'),
      rssMb: await rssMb(service.pid),
    },
  };
}

/** `ask` `repeats` times in a row after a few unmeasured warm-up asks, then as often after pauses. */
async function repeatTimings(
  options: Pick<PhraseCacheOptions, 'repeats' | 'pauseMs'>,
  ask: () => Promise<number | null>,
): Promise<RepeatTimings> {
  for (let i = 0; i < 5; i++) await ask();
  const backToBack: number[] = [];
  const afterPause: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const ms = await ask();
    if (ms !== null) backToBack.push(ms);
  }
  for (let i = 0; i < options.repeats; i++) {
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    const ms = await ask();
    if (ms !== null) afterPause.push(ms);
  }
  return { backToBackMs: summarize(backToBack), afterPauseMs: summarize(afterPause) };
}

/** The framework floor's GET /v1/voices asked the same two ways, by a client like ours. */
async function floorTimings(
  floorUrl: URL,
  token: string,
  options: Pick<PhraseCacheOptions, 'repeats' | 'pauseMs'>,
): Promise<RepeatTimings> {
  const floorClient = new BenchClient(floorUrl);
  try {
    return await repeatTimings(options, () => floorClient.firstByte('/v1/voices', token));
  } finally {
    floorClient.close();
  }
}

/** POST /v1/synthesize (whole file, pcm): not paced like a stream, so the fill is quick. */
function wholeFile(baseUrl: URL, token: string, text: string): Promise<void> {
  const payload = JSON.stringify({ text, format: 'pcm' });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: 'POST',
        path: '/v1/synthesize',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(
                new Error(`fill: HTTP ${res.statusCode} after ${performance.now() - started} ms`),
              ),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function metricsText(baseUrl: URL, adminKey: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(
        {
          host: baseUrl.hostname,
          port: baseUrl.port,
          path: '/metrics',
          headers: { authorization: `Bearer ${adminKey}` },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        },
      )
      .on('error', reject);
  });
}

async function rssMb(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}
