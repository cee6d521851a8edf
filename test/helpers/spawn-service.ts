import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAIN_JS = resolve(__dirname, '../../dist/apps/api/src/main.js');

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the compiled service (`npm test` builds first) as `npm start` would, in an empty working
 * directory so that a developer's `.env` never reaches a test.
 */
export function spawnService(env: Record<string, string | undefined>): Spawned {
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env }))
    if (v !== undefined) cleanEnv[k] = v;
  const cwd = mkdtempSync(join(tmpdir(), 'cw-spawned-'));
  const child = spawn(process.execPath, [MAIN_JS], {
    env: cleanEnv,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      res(code);
    }),
  );
  return { child, output: () => out, exited };
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the service logs that it listens; throws with its output if it exits first. */
export async function untilListening(svc: Spawned, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    () => svc.output().includes('listening on') || svc.child.exitCode !== null,
    timeoutMs,
    'listening',
  );
  if (svc.child.exitCode !== null) throw new Error(`service exited:\n${svc.output()}`);
}
