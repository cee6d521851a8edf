import { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import {
  bearer,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
  TestTenant,
} from './helpers/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retries `check` until it passes. The bound (5 s) is far below every TTL in play (the auth cache
 * keeps keys 30 s, tenant caches 60 s), so passing proves the change was heard, not waited out.
 */
async function eventually(check: () => Promise<void>, boundMs = 5000): Promise<void> {
  const until = Date.now() + boundMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(50);
    }
  }
}

/**
 * Tenant data the request path caches (keys, voices, dictionaries) is dropped when the database
 * says it changed, whoever changed it: here an operator's SQL on the same database, the way
 * another replica or the admin CLI writes.
 */
describe('cached tenant data follows database changes (real PostgreSQL LISTEN/NOTIFY)', () => {
  let app: NestExpressApplication;
  let db: Client;
  let tenant: TestTenant;
  const storageDir = mkdtempSync(join(tmpdir(), 'cw-change-feed-'));

  beforeAll(async () => {
    app = await createTestApp({ VOICE_STORAGE_DIR: storageDir, AUTH_CACHE_TTL_MS: '30000' });
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  beforeEach(async () => {
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await db.end();
    await app.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());
  const lookups = async (cache: string, result: string): Promise<number> => {
    const res = await http().get('/metrics').set(bearer(TEST_ADMIN_KEY)).expect(200);
    const line = res.text
      .split('\n')
      .find((l) => l.startsWith(`tenant_cache_lookups_total{cache="${cache}",result="${result}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const uploadVoice = async (name: string): Promise<string> => {
    const res = await http()
      .post('/v1/voices/upload')
      .set(bearer(tenant.key))
      .field('name', name)
      .attach('voice_file', wavFile(voiceLike(140, 4, 24000), 24000), {
        filename: 'voice.wav',
        contentType: 'audio/wav',
      })
      .expect(200);
    return res.body.voice_id as string;
  };
  const voiceNames = async (): Promise<string[]> => {
    const res = await http().get('/v1/voices').set(bearer(tenant.key)).expect(200);
    return (res.body as { name: string }[]).map((v) => v.name);
  };
  const listenerPids = async (): Promise<number[]> => {
    const rows = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN cw_changes'`,
    );
    return rows.rows.map((r) => r.pid);
  };

  it('a voice list is served from memory until the voice is changed by SQL, then re-read', async () => {
    const voiceId = await uploadVoice('Before');
    expect(await voiceNames()).toContain('Before');
    const hits = await lookups('voices', 'hit');
    expect(await voiceNames()).toContain('Before');
    expect(await lookups('voices', 'hit')).toBe(hits + 1);

    await db.query(`UPDATE voices SET name = 'After' WHERE voice_id = $1`, [voiceId]);
    await eventually(async () => expect(await voiceNames()).toContain('After'));
  });

  it('a change through this API is seen by the very next request', async () => {
    const voiceId = await uploadVoice('Old name');
    expect(await voiceNames()).toContain('Old name');
    await http()
      .patch(`/v1/voices/${voiceId}`)
      .set(bearer(tenant.key))
      .send({ name: 'New name' })
      .expect(200);
    expect(await voiceNames()).toContain('New name');
    await http().delete(`/v1/voices/${voiceId}`).set(bearer(tenant.key)).expect(200);
    expect(await voiceNames()).not.toContain('New name');
  });

  it('a dictionary made default by SQL applies to the next syntheses', async () => {
    const normalize = () =>
      http()
        .post('/v1/text/normalize')
        .set(bearer(tenant.key))
        .send({ text: 'Call Chiamaka today.', nigerian_lexicon: false })
        .expect(200);
    const created = await http()
      .post('/v1/pronunciation-dictionaries')
      .set(bearer(tenant.key))
      .send({
        name: 'Names',
        rules: [{ type: 'alias', string_to_replace: 'Chiamaka', alias: 'Chee ah mah kah' }],
      })
      .expect(201);
    expect((await normalize()).body.spoken_text).not.toContain('Chee ah mah kah');
    const hits = await lookups('pronunciation', 'hit');
    expect((await normalize()).body.spoken_text).not.toContain('Chee ah mah kah');
    expect(await lookups('pronunciation', 'hit')).toBe(hits + 1);

    await db.query(
      `UPDATE pronunciation_dictionaries SET is_default = true WHERE dictionary_id = $1`,
      [created.body.id],
    );
    await eventually(async () =>
      expect((await normalize()).body.spoken_text).toContain('Chee ah mah kah'),
    );
  });

  it('a key revoked by SQL is refused well before the auth cache would have expired it', async () => {
    await http().get('/v1/voices').set(bearer(tenant.key)).expect(200);
    await db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [tenant.keyId]);
    await eventually(async () => {
      await http().get('/v1/voices').set(bearer(tenant.key)).expect(401);
    });
  });

  it('when its connection is killed it listens again, and changes are still heard', async () => {
    const voiceId = await uploadVoice('Steady');
    expect(await voiceNames()).toContain('Steady');
    const before = await listenerPids();
    expect(before.length).toBeGreaterThan(0);
    await db.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [before]);
    await eventually(async () => {
      const now = await listenerPids();
      expect(now.filter((pid) => !before.includes(pid)).length).toBeGreaterThan(0);
    });
    await db.query(`UPDATE voices SET name = 'Renamed after reconnect' WHERE voice_id = $1`, [
      voiceId,
    ]);
    await eventually(async () => expect(await voiceNames()).toContain('Renamed after reconnect'));
  });
});
