import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `npm run admin` runs this file: the compiled CLI, as a user runs it. */
const ADMIN_JS = resolve(__dirname, '../dist/apps/api/src/cli/admin.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a temp working directory (no developer `.env` is read) with exactly `env`. */
function admin(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [ADMIN_JS, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 180_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        res({ code, stdout, stderr });
      },
    );
  });
}

function postgresProcessesFor(dir: string): string {
  try {
    // No shell: pgrep never lists itself, and a shell would match its own command line.
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

describe('admin CLI against DATABASE_URL', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cw-admin-cli-'));
  const env = { DATABASE_URL: process.env.DATABASE_URL!, MIGRATIONS_RUN: 'false' };
  const tenantId = `cli_${randomBytes(5).toString('hex')}`;
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('runs every command: create, list, update a tenant; create, list, revoke a key', async () => {
    const created = await admin(
      ['tenants:create', '--tenant-id', tenantId, '--name', 'CLI test', '--max-voices', '3'],
      env,
      cwd,
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ tenant_id: tenantId, max_voices: 3 });

    const listed = await admin(['tenants:list'], env, cwd);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const tenants = JSON.parse(listed.stdout) as { tenant_id: string }[];
    expect(tenants.map((t) => t.tenant_id)).toContain(tenantId);

    const updated = await admin(['tenants:update', tenantId, '--per-minute', '7'], env, cwd);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      rate_limit_per_minute: 7,
      nigerian_lexicon: true,
    });
    const lexiconOff = await admin(
      ['tenants:update', tenantId, '--nigerian-lexicon', 'false'],
      env,
      cwd,
    );
    expect(lexiconOff).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(lexiconOff.stdout)).toMatchObject({
      nigerian_lexicon: false,
      rate_limit_per_minute: 7,
    });
    const lexiconOn = await admin(
      ['tenants:update', tenantId, '--nigerian-lexicon', 'true'],
      env,
      cwd,
    );
    expect(JSON.parse(lexiconOn.stdout)).toMatchObject({ nigerian_lexicon: true });

    const key = await admin(['keys:create', tenantId, '--name', 'ops'], env, cwd);
    expect(key.code).toBe(0);
    const issued = JSON.parse(key.stdout) as { key_id: string; key: string };
    expect(issued.key).toMatch(/^cw_live_/);

    const keys = await admin(['keys:list', tenantId], env, cwd);
    expect(keys.code).toBe(0);
    expect(JSON.parse(keys.stdout)).toEqual([
      expect.objectContaining({ key_id: issued.key_id, name: 'ops' }),
    ]);

    const revoked = await admin(['keys:revoke', issued.key_id], env, cwd);
    expect(revoked.code).toBe(0);
    const after = await admin(['keys:list', tenantId], env, cwd);
    expect(JSON.parse(after.stdout)).toEqual([
      expect.objectContaining({ key_id: issued.key_id, revoked_at: expect.any(String) }),
    ]);
  }, 180_000);

  it('exits 1 with a message for bad input, an unknown tenant and an unknown command', async () => {
    const bad = await admin(['tenants:update', tenantId, '--per-minute', 'lots'], env, cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rate_limit_per_minute/);
    const badSwitch = await admin(
      ['tenants:update', tenantId, '--nigerian-lexicon', 'no'],
      env,
      cwd,
    );
    expect(badSwitch.code).toBe(1);
    expect(badSwitch.stderr).toMatch(/nigerian_lexicon must be true or false/);

    const missing = await admin(['keys:list', 'no_such_tenant_cli'], env, cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no_such_tenant_cli/);

    const unknown = await admin(['tenants:lst'], env, cwd);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'tenants:lst'/);
    expect(unknown.stderr).toMatch(/Usage: npm run admin/);
  }, 120_000);
});

describe('admin CLI with the embedded PostgreSQL (no DATABASE_URL)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'cw-admin-cli-embedded-'));
  const dir = join(cwd, 'pg');
  const env = { EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: '19410' };
  afterAll(() => {
    // Whatever happened, leave no server behind for the next run.
    for (const line of postgresProcessesFor(dir).split('\n').filter(Boolean))
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  it('stops the server it started after a command that works and after one that fails', async () => {
    const listed = await admin(['tenants:list'], env, cwd);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ tenant_id: 'test_tenant' })]),
    );
    expect(postgresProcessesFor(dir)).toBe('');

    const failed = await admin(['keys:list', 'no_such_tenant_cli'], env, cwd);
    expect(failed.code).toBe(1);
    expect(postgresProcessesFor(dir)).toBe('');
  }, 240_000);

  it('stops the server when the CLI is sent SIGTERM while it runs', async () => {
    // The data directory exists (the previous test initialised it): watch for the server's start.
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    const pidFileAppeared = new Promise<void>((res) => {
      const watcher = watch(dir, (_event, name) => {
        if (name === 'postmaster.pid' && existsSync(join(dir, 'postmaster.pid'))) {
          watcher.close();
          res();
        }
      });
    });
    const child = spawn(process.execPath, [ADMIN_JS, 'tenants:list'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await pidFileAppeared;
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(postgresProcessesFor(dir)).toBe('');
  }, 240_000);
});
