import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BenchClient } from './http-client';
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
}

export interface PhraseCacheResult {
  /** Time to first byte of a stream the engine made, and of the same stream from the cache. */
  missTtfbMs: Summary;
  hitTtfbMs: Summary;
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
