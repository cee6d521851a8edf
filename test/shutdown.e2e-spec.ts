import { Client } from 'pg';
import WebSocket from 'ws';
import { LONG_TEXT } from './helpers/audio-client';
import { spawnService, type Spawned, untilListening, waitFor } from './helpers/spawn-service';

const ADMIN_KEY = 'shutdown_admin_key_0123456789';
const randomPort = () => 20000 + Math.floor(Math.random() * 20000);

/** About eight seconds of speech: still playing when SIGTERM arrives, done well before the deadline. */
const MEDIUM_TEXT =
  'Thank you for calling the pharmacy. Your prescription is ready for pickup at the front ' +
  'counter. We are open until nine tonight, and until six on Sunday.';

interface Streamed {
  status: number;
  bytes: number;
  /** The body ended normally (false: the connection was cut). */
  complete: boolean;
}

/** Reads a whole streaming response, noting whether it ended or was cut. */
async function stream(base: string, key: string, text: string): Promise<Streamed> {
  const res = await fetch(`${base}/v1/synthesize/streaming`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, format: 'mulaw', sample_rate: 8000 }),
  });
  let bytes = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
    }
    return { status: res.status, bytes, complete: true };
  } catch {
    return { status: res.status, bytes, complete: false };
  }
}

async function admin(base: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/v1/admin/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

describe('graceful shutdown (SIGTERM to the compiled service)', () => {
  let svc: Spawned;
  let base: string;

  afterEach(() => {
    if (svc?.child.exitCode === null) svc.child.kill('SIGKILL');
  });

  it('stops taking work, lets streams in flight finish, cuts the rest at the deadline, writes every usage row and exits 0', async () => {
    const port = randomPort();
    base = `http://127.0.0.1:${port}`;
    svc = spawnService({
      PORT: String(port),
      HOST: '127.0.0.1',
      MIGRATIONS_RUN: 'false',
      ADMIN_API_KEY: ADMIN_KEY,
      ENGINE_POOL_SIZE: '1',
      SHUTDOWN_DRAIN_S: '10',
      LOG_LEVEL: 'info',
    });
    await untilListening(svc);
    // Ready only once warm: from then on syntheses are admitted.
    for (;;) {
      const res = await fetch(`${base}/v1/health/ready`);
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const tenantId = `t_shutdown_${port}`;
    const tenant = await admin(base, 'tenants', { tenant_id: tenantId, name: 'Shutdown test' });
    const { key } = (await admin(base, `tenants/${tenantId}/keys`, { name: 'k' })) as {
      key: string;
    };

    // In flight at SIGTERM: a medium stream, a long one, and a WebSocket mid-sentence.
    const medium = stream(base, key, MEDIUM_TEXT);
    const long = stream(base, key, LONG_TEXT);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/synthesize/ws`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    let wsAudioBytes = 0;
    let wsAudioAfterTerm = 0;
    let termed = false;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      wsAudioBytes += (data as Buffer).length;
      if (termed) wsAudioAfterTerm += (data as Buffer).length;
    });
    const wsClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'config', format: 'mulaw' }));
    ws.send(JSON.stringify({ type: 'text', text: 'Hello, and thanks for calling. Your order ' }));
    await waitFor(() => wsAudioBytes > 0, 20_000, 'first WebSocket audio');

    termed = true;
    svc.child.kill('SIGTERM');
    await waitFor(() => svc.output().includes('SIGTERM received'), 10_000, 'SIGTERM logged');

    // At once: not ready, new syntheses refused with a code and Retry-After, liveness still up.
    const ready = await fetch(`${base}/v1/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('shutting down');
    const refused = await fetch(`${base}/v1/synthesize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Too late.' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toMatchObject({ code: 'shutting_down' });
    expect((await fetch(`${base}/v1/health/live`)).status).toBe(200);

    // The sentence being written is finished and spoken, then the session closes with 1012.
    ws.send(JSON.stringify({ type: 'text', text: 'has shipped and arrives tomorrow. ' }));
    const close = await wsClosed;
    expect(close.code).toBe(1012);
    expect(wsAudioAfterTerm).toBeGreaterThan(8000); // more than a second of mu-law after SIGTERM

    const [mediumResult, longResult] = await Promise.all([medium, long]);
    expect(mediumResult).toMatchObject({ status: 200, complete: true });
    // The long stream plays for ~28 s; the 10 s deadline cuts it.
    expect(longResult.status).toBe(200);
    expect(longResult.complete).toBe(false);

    expect(await svc.exited).toBe(0);
    expect(svc.output()).toContain('drain deadline passed: cutting 1 syntheses');

    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ endpoint: string; status: string; bytes: string }>(
        'SELECT endpoint, status, bytes FROM usage_events WHERE tenant_id = $1 ORDER BY bytes',
        [tenant.id],
      );
      // One row per admitted synthesis (the refused one was never admitted), the cut one too.
      expect(rows.map((r) => [r.endpoint, r.status]).sort()).toEqual(
        [
          ['synthesize/streaming', 'cancelled'],
          ['synthesize/streaming', 'completed'],
          ['synthesize/ws', 'completed'],
        ].sort(),
      );
      const cut = rows.find((r) => r.status === 'cancelled');
      // Counted as handed to the socket: at least what the client got before the cut.
      expect(Number(cut?.bytes)).toBeGreaterThanOrEqual(longResult.bytes);
      expect(longResult.bytes).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  }, 120_000);
});
