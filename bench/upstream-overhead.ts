import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchClient } from './http-client';
import { createBenchTenant, startService, waitUntilReady } from './service';
import { type Summary, summarize } from './stats';
import { LONG_TEXT, SHORT_TEXT } from './texts';

/**
 * A bench stage that runs alone (`npm run bench:upstream`): what we add to an OpenAI-compatible
 * upstream's first byte and throughput. A stand-in upstream (in this process) streams 24 kHz PCM
 * after a fixed model delay; the same texts are asked of it directly and through our
 * /v1/synthesize/streaming on a voice bound to it (PCM out, so we resample 24 → 22.05 kHz).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_UPSTREAM_RUNS ?? 40);
const MODEL_DELAY_MS = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 40);
const RATE = 24_000;
/** The stand-in renders at 20x real time once started, in 100 ms chunks. */
const CHUNK_SAMPLES = 2400;
const REALTIME_FACTOR = 20;

function standIn(): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      if (req.url === '/v1/audio/voices') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ voices: [{ id: 'af_heart', name: 'af_heart' }] }));
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string };
      const samples = Math.round(body.input.length * 0.06 * RATE);
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      res.flushHeaders();
      let sent = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        const n = Math.min(CHUNK_SAMPLES, samples - sent);
        const chunk = Buffer.alloc(n * 2);
        for (let i = 0; i < n; i++) {
          chunk.writeInt16LE(
            Math.round(8000 * Math.sin((2 * Math.PI * 220 * (sent + i)) / RATE)),
            i * 2,
          );
        }
        sent += n;
        res.write(chunk);
        if (sent >= samples) res.end();
        else setTimeout(tick, (CHUNK_SAMPLES / RATE) * (1000 / REALTIME_FACTOR));
      };
      setTimeout(tick, MODEL_DELAY_MS);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/v1` });
    }),
  );
}

/** The stand-in asked directly: first body byte and whole answer, ms. */
function direct(url: string, text: string): Promise<{ ttfbMs: number; totalMs: number }> {
  const payload = JSON.stringify({
    model: 'tts-1',
    voice: 'af_heart',
    input: text,
    response_format: 'pcm',
  });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first: number | undefined;
    const req = http.request(`${url}/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      res.on('data', () => (first ??= performance.now()));
      res.on('end', () =>
        resolve({
          ttfbMs: (first ?? performance.now()) - started,
          totalMs: performance.now() - started,
        }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface Runs {
  direct: number[];
  ours: number[];
  directTotal: number[];
  oursTotal: number[];
}

const line = (name: string, s: Summary) =>
  `${name.padEnd(34)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms`;

async function main(): Promise<void> {
  const upstream = await standIn();
  const service = await startService({
    root: ROOT,
    env: { ...process.env, UPSTREAM_OPENAI_URL: upstream.url, UPSTREAM_OPENAI_VOICES: 'af_heart' },
    embeddedPgDir: path.join(ROOT, '.data', 'bench-upstream-pg'),
    startTimeoutMs: 120_000,
  });
  try {
    const client = new BenchClient(service.baseUrl);
    await waitUntilReady(client, 120_000);
    const token = await createBenchTenant(client, service.adminKey, 'Upstream bench');
    client.bypassCache = true;
    const voice = await client.json('POST', '/v1/voices', token, {
      name: 'Bench upstream',
      engine: 'openai',
      engine_voice: 'af_heart',
    });
    const voiceId = (voice.body as { voice_id?: string }).voice_id;
    if (voice.status !== 201 || !voiceId) throw new Error(`voice: HTTP ${voice.status}`);
    const results: Record<
      string,
      { direct: number[]; ours: number[]; directTotal: number[]; oursTotal: number[] }
    > = {};
    // A live stream through us is paced to its listener (at most SCHEDULER_LEAD_MS ahead), so
    // the long text's whole answer takes about its audio's length (a minute): it is measured to
    // its first byte only, then hung up.
    for (const [name, text, whole] of [
      ['short', SHORT_TEXT, true],
      ['long', LONG_TEXT, false],
    ] as const) {
      const runs = whole ? RUNS : Math.max(3, Math.round(RUNS / 2));
      const r: Runs = { direct: [], ours: [], directTotal: [], oursTotal: [] };
      results[name] = r;
      console.error(`${name}: ${runs} runs`);
      for (let i = 0; i < runs; i++) {
        const d = await direct(upstream.url, text);
        r.direct.push(d.ttfbMs);
        r.directTotal.push(d.totalMs);
        const hangUp = new AbortController();
        const o = await client.stream(
          token,
          { text, format: 'pcm', voice_id: voiceId },
          hangUp.signal,
          whole ? undefined : () => hangUp.abort(),
        );
        if (o.ttfbMs === null || (whole && (o.status !== 200 || o.totalMs === null))) {
          throw new Error(`stream: HTTP ${o.status} ${o.error ?? ''}`);
        }
        r.ours.push(o.ttfbMs);
        if (o.totalMs !== null) r.oursTotal.push(o.totalMs);
      }
    }
    console.log(
      `Upstream overhead: stand-in model delay ${MODEL_DELAY_MS} ms, then ${REALTIME_FACTOR}x real time; PCM 24 kHz in, PCM 22.05 kHz out`,
    );
    for (const [name, r] of Object.entries(results)) {
      const d = summarize(r.direct);
      const o = summarize(r.ours);
      console.log(line(`${name}: first byte, stand-in direct`, d));
      console.log(line(`${name}: first byte, through us`, o));
      console.log(
        `${name}: added to first byte             p50 ${(o.p50 - d.p50).toFixed(1)} ms   p95 ${(o.p95 - d.p95).toFixed(1)} ms`,
      );
      if (r.oursTotal.length === 0) continue;
      const dt = summarize(r.directTotal);
      const ot = summarize(r.oursTotal);
      console.log(
        `${name}: whole answer p50 direct ${dt.p50.toFixed(0)} ms, through us ${ot.p50.toFixed(0)} ms (ours: split at sentences, paused between them, paced to playback)`,
      );
    }
  } catch (error) {
    console.error('service log:', service.log.samples.join('\n'));
    throw error;
  } finally {
    await service.stop();
    upstream.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
