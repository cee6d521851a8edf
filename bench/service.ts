import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type AppConfig } from '@cw/config';
import type { BenchClient } from './http-client';

const READY_LINE = 'listening on';
const READY_PATH = '/v1/health/ready';
const MAX_CONCURRENT_STREAMS = 1000;
const PINO_WARN = 40;
const MAX_LOG_SAMPLES = 8;

export interface ServiceOptions {
  /** Repository root: the service runs from here, as `npm start` would. */
  root: string;
  /** The environment the service inherits; PORT, HOST, ADMIN_API_KEY and LOG_LEVEL are set here. */
  env: NodeJS.ProcessEnv;
  /** Used when `env` has no DATABASE_URL: the embedded PostgreSQL's data directory. */
  embeddedPgDir: string;
  startTimeoutMs: number;
}

/** Warnings and errors the service logged while the bench ran (LOG_LEVEL=warn). */
export interface ServiceLog {
  warnings: number;
  errors: number;
  /** First few warning/error messages and non-JSON lines, as printed. */
  samples: string[];
}

export interface RunningService {
  baseUrl: URL;
  adminKey: string;
  /** The service's configuration, validated by the service's own loader. */
  config: AppConfig;
  log: ServiceLog;
  /** The service process, for /proc readings (RSS, open-file limit). */
  pid: number | undefined;
  /** From spawning the process to its "listening" log line, in ms. */
  listeningAfterMs: number;
  /** The default engine's build, from `GET /v1/health` once ready (`espeak-ng 1.51 (native, ...)`). */
  systemTts?: string;
  stop(): Promise<void>;
}

/** Starts the built service as a child process on a free loopback port; resolves once it listens. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const port = await freePort();
  const adminKey = `bench-${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'warn',
  };
  if (!env.DATABASE_URL) {
    env.EMBEDDED_PG_DIR = options.embeddedPgDir;
    env.EMBEDDED_PG_PORT = String(await freePort());
  }
  // Fails here, with the service's own message, rather than as a child that exits at once.
  const config = loadConfig(env);

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [path.join(options.root, 'dist/apps/api/src/main.js')], {
    cwd: options.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: ServiceLog = { warnings: 0, errors: 0, samples: [] };
  const ready = watchOutput(child, log);
  const stop = () => stopChild(child);

  try {
    await withTimeout(ready, options.startTimeoutMs, 'the service did not start listening');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    adminKey,
    config,
    log,
    pid: child.pid,
    listeningAfterMs: performance.now() - spawnedAt,
    stop,
  };
}

/**
 * Polls `GET /v1/health/ready` (database, Redis, engine) every 20 ms until it answers 200;
 * resolves with how long that took.
 */
export async function waitUntilReady(client: BenchClient, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last = 'no answer';
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await client.json('GET', READY_PATH, '');
      if (res.status === 200) return performance.now() - started;
      last = `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(20);
  }
  throw new Error(`${READY_PATH} did not answer 200 within ${timeoutMs} ms: ${last}`);
}

/** `system_tts` of `GET /v1/health`: which build the default engine runs. */
export async function systemTts(client: BenchClient): Promise<string> {
  const res = await client.json('GET', '/v1/health', '');
  const body = res.body as { system_tts?: unknown } | null;
  return typeof body?.system_tts === 'string' ? body.system_tts : 'unknown';
}

/** A tenant whose limits the bench cannot reach, and a key for it. */
export async function createBenchTenant(
  client: BenchClient,
  adminKey: string,
  name = 'Benchmark',
): Promise<string> {
  const tenantId = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const tenant = await client.json('POST', '/v1/admin/tenants', adminKey, {
    tenant_id: tenantId,
    name,
    rate_limit_per_minute: 1_000_000,
    rate_limit_per_hour: 100_000_000,
    max_voices: 5,
    // Above the largest level of every measurement: the engine, not the tenant, sets the limit.
    max_concurrent_streams: MAX_CONCURRENT_STREAMS,
  });
  if (tenant.status !== 201) {
    throw new Error(
      `creating the bench tenant: HTTP ${tenant.status} ${JSON.stringify(tenant.body)}`,
    );
  }
  const created = await client.json('POST', `/v1/admin/tenants/${tenantId}/keys`, adminKey, {
    name: 'bench',
  });
  const key = (created.body as { key?: unknown } | null)?.key;
  if (created.status !== 201 || typeof key !== 'string') {
    throw new Error(
      `creating the bench key: HTTP ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  return key;
}

function watchOutput(child: ChildProcess, log: ServiceLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      if (line.includes(READY_LINE)) resolve();
      const level = pinoLevel(line);
      if (level !== undefined && level < PINO_WARN) return;
      if (level === undefined || level > PINO_WARN) log.errors += 1;
      else log.warnings += 1;
      if (log.samples.length < MAX_LOG_SAMPLES) log.samples.push(line.slice(0, 400));
    };
    for (const output of [child.stdout, child.stderr]) {
      if (output) readline.createInterface({ input: output }).on('line', onLine);
    }
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const last = log.samples.at(-1) ?? '(no output)';
      reject(
        new Error(`the service exited (${signal ?? `code ${code}`}) before it was ready: ${last}`),
      );
    });
  });
}

function pinoLevel(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' ? level : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM lets the service close its engine and its embedded PostgreSQL; SIGKILL after 20 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
