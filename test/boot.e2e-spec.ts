import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnService, waitFor } from './helpers/spawn-service';

const randomPort = () => 20000 + Math.floor(Math.random() * 20000);

function postgresProcessesFor(dir: string): string {
  try {
    // No shell: pgrep never lists itself, and a shell would match its own command line.
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('booting the service', () => {
  it('stops at boot with a message naming an invalid variable', async () => {
    const svc = spawnService({ PORT: 'eighty', LOG_LEVEL: 'silent' });
    expect(await svc.exited).toBe(1);
    expect(svc.output()).toMatch(/Invalid configuration: PORT: /);
  });

  it('refuses to start in production while a demo key is active', async () => {
    const svc = spawnService({
      NODE_ENV: 'production',
      ALLOW_DEMO_KEYS: undefined,
      PORT: String(randomPort()),
    });
    expect(await svc.exited).toBe(1);
    const lines = svc
      .output()
      .split('\n')
      .filter((l) => l.includes('demo API key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ALLOW_DEMO_KEYS=true');
  });

  it('`npm run start:prod` stops on SIGTERM to npm itself, leaving no node process behind', async () => {
    const port = randomPort();
    const npm = spawn('npm', ['run', 'start:prod'], {
      cwd: resolve(__dirname, '..'),
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MIGRATIONS_RUN: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => npm.on('exit', (code) => res(code)));
    try {
      await waitFor(
        () => out.includes('listening on') || npm.exitCode !== null,
        60_000,
        'listening',
      );
      // npm runs the script through sh: `exec` makes node that child, so the signal reaches it.
      const children = execFileSync('pgrep', ['-P', String(npm.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
      expect(children).toHaveLength(1);
      npm.kill('SIGTERM');
      await exited;
      await waitFor(() => !children.some(processAlive), 30_000, 'node to exit');
      expect(out).toContain('SIGTERM received');
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  }, 90_000);

  it('with no DATABASE_URL starts an embedded PostgreSQL, answers /v1/health, restarts it when it dies, and leaves nothing behind on SIGTERM', async () => {
    const dir = resolve(__dirname, `../.data/boot-pg-${randomBytes(4).toString('hex')}`);
    const port = randomPort();
    const svc = spawnService({
      DATABASE_URL: undefined,
      EMBEDDED_PG_DIR: dir,
      EMBEDDED_PG_PORT: String(randomPort()),
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    try {
      await waitFor(
        () => svc.output().includes('listening on') || svc.child.exitCode !== null,
        90_000,
        'listening',
      );
      expect(svc.output()).toContain('starting an embedded PostgreSQL');
      const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ database: 'up' });
      expect(postgresProcessesFor(dir)).not.toBe('');

      // The server dies under us: it is restarted and the service answers again.
      const pid = Number(readFileSync(resolve(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => svc.output().includes('embedded PostgreSQL restarted'),
        60_000,
        'embedded PostgreSQL restarted',
      );
      const again = await fetch(`http://127.0.0.1:${port}/v1/health`);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ database: 'up' });

      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(postgresProcessesFor(dir)).toBe('');
    } finally {
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
