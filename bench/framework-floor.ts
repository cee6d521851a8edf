import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { BenchClient } from './http-client';
import { freePort, stopChild } from './service';

/**
 * Runs `work` with the framework floor answering our own `GET /v1/voices` body (fetched with
 * `token`), and stops the floor afterwards, whether `work` succeeded or not.
 */
export async function withFrameworkFloor<T>(
  client: BenchClient,
  token: string,
  work: (floorUrl: URL) => Promise<T>,
): Promise<T> {
  const voices = await client.json('GET', '/v1/voices', token);
  const floor = await startFrameworkFloor(voices.body);
  try {
    return await work(floor.baseUrl);
  } finally {
    await floor.stop();
  }
}

/**
 * Starts the framework floor (framework-floor-server.ts) in its own process, answering `body`;
 * resolves with its URL and a stop function once it listens.
 */
export async function startFrameworkFloor(
  body: unknown,
): Promise<{ baseUrl: URL; stop: () => Promise<void> }> {
  const port = await freePort();
  const bodyFile = path.join(os.tmpdir(), `cw-bench-floor-${process.pid}.json`);
  await writeFile(bodyFile, JSON.stringify(body));
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'framework-floor-server.js'), String(port), bodyFile],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout });
  const [first] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error('the framework floor exited before it listened');
    }),
  ])) as [string];
  if (first !== 'listening') throw new Error(`the framework floor said: ${first}`);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(bodyFile, { force: true });
  };
  return { baseUrl: new URL(`http://127.0.0.1:${port}`), stop };
}
