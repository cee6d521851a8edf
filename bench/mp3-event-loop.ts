/**
 * How busy MP3 streams keep the service's main thread: event-loop utilization (perf_hooks) and
 * GET /v1/health/live latency, idle and while N MP3 syntheses run, for one or more builds of the
 * service (repository roots with `dist/` built), one after the other in the same run.
 *
 *   node dist/bench/mp3-event-loop.js --root /path/a --root /path/b [--streams 10]
 *     [--seconds 15] [--port 19301]
 *
 * DATABASE_URL must name a PostgreSQL database the service may migrate. Prints numbers; it
 * asserts nothing (the machine may be shared: read them as such).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize } from './stats';

const KEY = 'cw_demo_12345';
const TEXT =
  'Thank you for calling. Your account balance is five thousand naira, and your next payment ' +
  'is due on the fifth of December. If you would like to speak with an agent, please stay on ' +
  'the line, and someone will be with you shortly. You can also reach us on our website at any ' +
  'time of the day or night.';

interface Phase {
  name: string;
  elu: number;
  healthMs: ReturnType<typeof summarize>;
  syntheses: number;
  failed: Record<string, number>;
  healthFailed: Record<string, number>;
  audioBytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', multiple: true },
      streams: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '15' },
      port: { type: 'string', default: '19301' },
    },
  });
  const roots = values.root ?? [path.resolve(__dirname, '../..')];
  const streams = Number(values.streams);
  const seconds = Number(values.seconds);
  const port = Number(values.port);
  if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL');
  console.log(
    `node ${process.version}, ${streams} MP3 streams (44.1 kHz), ${seconds} s per phase, port ${port}`,
  );
  for (const root of roots) {
    const load = loadavg()[0].toFixed(1);
    const service = await start(root, port);
    try {
      const phases = [
        await measure(service, 'idle', seconds / 3, 0, ''),
        await measure(service, 'streaming', seconds, streams, '/v1/synthesize/streaming'),
        await measure(service, 'whole file', seconds, streams, '/v1/synthesize'),
      ];
      console.log(`\n${root} (load average before/after: ${load} / ${loadavg()[0].toFixed(1)})`);
      for (const p of phases) {
        const h = p.healthMs;
        console.log(
          `  ${p.name.padEnd(10)} ELU ${(p.elu * 100).toFixed(1).padStart(5)}%  ` +
            `health/live ms p50 ${h.p50.toFixed(1)} p95 ${h.p95.toFixed(1)} p99 ${h.p99.toFixed(1)} ` +
            `max ${h.max.toFixed(1)} (n=${h.n})  syntheses ${p.syntheses}, ` +
            `${(p.audioBytes / 1024).toFixed(0)} KiB mp3` +
            (Object.keys(p.failed).length ? `, failed ${JSON.stringify(p.failed)}` : '') +
            (Object.keys(p.healthFailed).length
              ? `, health failed ${JSON.stringify(p.healthFailed)}`
              : ''),
        );
      }
    } finally {
      await stop(service.child);
    }
  }
}

interface Service {
  child: ChildProcess;
  base: string;
}

async function start(root: string, port: number): Promise<Service> {
  const probe = path.join(__dirname, 'elu-probe.js');
  const child = spawn(
    process.execPath,
    ['--require', probe, path.join(root, 'dist/apps/api/src/main.js')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        // Every synthesis is encoded, none answered from the cache.
        PHRASE_CACHE_MAX_BYTES: '0',
        DEFAULT_MAX_CONCURRENT_STREAMS: '1000',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  // The service's log (errors only) to a file beside the bench output, for a look afterwards.
  child.stdout?.pipe(createWriteStream(`mp3-event-loop.${path.basename(root)}.log`));
  child.on('exit', (code, signal) => {
    if (code !== 0) console.error(`the service in ${root} exited: ${signal ?? code}`);
  });
  const base = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 60_000; waited += 200) {
    if (child.exitCode !== null) throw new Error(`the service in ${root} exited`);
    const ok = await fetch(`${base}/v1/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, base };
    await sleep(200);
  }
  await stop(child);
  throw new Error(`the service in ${root} was not ready within 60 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function elu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: { elu: number }) => resolve(m.elu));
    child.send('elu');
  });
}

async function measure(
  service: Service,
  name: string,
  seconds: number,
  streams: number,
  route: string,
): Promise<Phase> {
  const until = performance.now() + seconds * 1000;
  const failed: Record<string, number> = {};
  let syntheses = 0;
  let audioBytes = 0;
  let n = 0;
  const synthesize = async (): Promise<void> => {
    while (performance.now() < until) {
      try {
        const res = await fetch(service.base + route, {
          method: 'POST',
          headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
          // A different text each time, in case a cache is on.
          body: JSON.stringify({ text: `${TEXT} ${++n}.`, format: 'mp3', sample_rate: 44100 }),
        });
        const body = Buffer.from(await res.arrayBuffer());
        if (res.ok) {
          syntheses++;
          audioBytes += body.length;
          continue;
        }
        const code = /"code":"(\w+)"/.exec(body.toString())?.[1];
        count(failed, `${res.status} ${code}`);
      } catch (err) {
        // A stream cut after its headers (the service aborts the transfer on a failure).
        count(failed, (err as { cause?: { code?: string } }).cause?.code ?? String(err));
      }
      await sleep(200);
    }
  };
  const health: number[] = [];
  const healthFailed: Record<string, number> = {};
  const ping = async (): Promise<void> => {
    while (performance.now() < until) {
      const t = performance.now();
      try {
        await (await fetch(`${service.base}/v1/health/live`)).arrayBuffer();
        health.push(performance.now() - t);
      } catch (err) {
        count(healthFailed, (err as { cause?: { code?: string } }).cause?.code ?? String(err));
      }
      await sleep(50);
    }
  };
  await elu(service.child);
  await Promise.all([ping(), ...Array.from({ length: streams }, synthesize)]);
  return {
    name,
    elu: await elu(service.child),
    healthMs: summarize(health),
    syntheses,
    failed,
    healthFailed,
    audioBytes,
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
