import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { RealtimeGateway } from '../apps/api/src/realtime/realtime.gateway';
import { listen } from './helpers/audio-client';
import { createTenant, createTestApp, TestTenant } from './helpers/test-app';

interface Session {
  ws: WebSocket;
  errors: Array<{ code: string; message: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(base: string, key: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/synthesize/ws`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    const errors: Session['errors'] = [];
    ws.on('message', (data: Buffer, binary) => {
      if (binary) return;
      const frame = JSON.parse(data.toString('utf8')) as { type: string; code: string };
      if (frame.type === 'error') errors.push(frame as unknown as Session['errors'][number]);
    });
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => res({ code, reason: reason.toString() })),
    );
    ws.once('open', () => resolve({ ws, errors, closed }));
    ws.once('error', reject);
  });
}

/**
 * Open sessions are rechecked every AUTH_CACHE_TTL_MS (short here); changes are made straight in
 * the database, as another replica or the CLI would make them, so no cache is told.
 */
describe('open WebSocket sessions after their key, tenant or quota changes', () => {
  let app: NestExpressApplication;
  let base: string;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp({ AUTH_CACHE_TTL_MS: '200' });
    base = await listen(app);
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  const expectPolicyClose = async (session: Session, code: string) => {
    const closed = await session.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(new RegExp(`^${code}: `));
    expect(session.errors).toEqual([expect.objectContaining({ code })]);
  };

  it('closes a session whose key is revoked', async () => {
    const t: TestTenant = await createTenant(app);
    const session = await open(base, t.key);
    await db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [t.keyId]);
    await expectPolicyClose(session, 'invalid_api_key');
  });

  it('closes a session whose tenant is deactivated', async () => {
    const t = await createTenant(app);
    const session = await open(base, t.key);
    await db.query(`UPDATE tenants SET is_active = false WHERE id = $1`, [t.uuid]);
    await expectPolicyClose(session, 'tenant_inactive');
  });

  it('closes a session whose tenant has used up its quota', async () => {
    const t = await createTenant(app);
    const session = await open(base, t.key);
    await db.query(`UPDATE tenants SET monthly_quota_seconds = 0 WHERE id = $1`, [t.uuid]);
    await expectPolicyClose(session, 'quota_exceeded');
  });

  it('leaves a session that still passes open and working', async () => {
    const t = await createTenant(app);
    const session = await open(base, t.key);
    await app.get(RealtimeGateway).recheckSessions();
    expect(session.ws.readyState).toBe(WebSocket.OPEN);
    const done = new Promise<void>((resolve) =>
      session.ws.on('message', (data: Buffer, binary) => {
        if (!binary && (JSON.parse(data.toString('utf8')) as { type: string }).type === 'done') {
          resolve();
        }
      }),
    );
    session.ws.send(JSON.stringify({ type: 'text', text: 'Still here.' }));
    session.ws.send(JSON.stringify({ type: 'close' }));
    await done;
    expect((await session.closed).code).toBe(1000);
    expect(session.errors).toEqual([]);
  });
});
