import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const EMBEDDED_JS = resolve(__dirname, '../dist/libs/db/src/embedded-postgres.js');
const asRoot = process.getuid?.() === 0;

/**
 * As root the embedded server runs as the `postgres` user, which cannot reach a sandbox's private
 * /tmp (mode 0700) nor read a file made under a umask of 077. CI ran in such a sandbox and every
 * embedded start failed ("could not open file /tmp/pg-password-...: Permission denied").
 */
(asRoot ? describe : describe.skip)('embedded PostgreSQL as root', () => {
  const dir = resolve(__dirname, `../.data/private-tmp-pg-${randomBytes(4).toString('hex')}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises, starts and answers a query with /tmp private to root and a umask of 077', () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const script = `
      process.umask(0o077);
      const { Client } = require('pg');
      const { startEmbeddedPostgres } = require(${JSON.stringify(EMBEDDED_JS)});
      (async () => {
        const pg = await startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, port: ${port} });
        const client = new Client({ connectionString: pg.url });
        await client.connect();
        const { rows } = await client.query('SELECT current_database() AS db');
        await client.end();
        await pg.stop();
        process.stdout.write('ANSWER ' + rows[0].db + '\\n');
      })().catch((e) => { console.error(e); process.exit(1); });`;
    // The temporary folder the package writes to is private to root: TMPDIR names a mode-0700
    // folder, and where mount namespaces are allowed /tmp itself is a mode-0700 tmpfs of this
    // child's own (the server's socket lock goes to /tmp whatever TMPDIR says).
    const privateTmp = mkdtempSync(join(tmpdir(), 'cw-private-'));
    chmodSync(privateTmp, 0o700);
    const env = { ...process.env, TMPDIR: privateTmp };
    const options = {
      cwd: resolve(__dirname, '..'),
      encoding: 'utf8' as const,
      timeout: 60_000,
      env,
    };
    const namespaces = spawnSync('unshare', ['-m', 'true'], options).status === 0;
    const shell = `mount -t tmpfs -o mode=0700 tmpfs /tmp && exec "$0" -e "$1"`;
    const run = namespaces
      ? spawnSync('unshare', ['-m', 'sh', '-c', shell, process.execPath, script], options)
      : spawnSync(process.execPath, ['-e', script], options);
    rmSync(privateTmp, { recursive: true, force: true });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('ANSWER callwaiting');
  });
});
