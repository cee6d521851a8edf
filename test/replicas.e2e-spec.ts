import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { LONG_TEXT } from './helpers/audio-client';
import { type LocalS3, startS3rver } from './helpers/s3';
import { spawnService, type Spawned, untilListening } from './helpers/spawn-service';

const ADMIN_KEY = 'replicas_admin_key_0123456789';
const BUCKET = 'cw-replicas-e2e';
const AUTH_CACHE_TTL_MS = 1000;
const randomPort = () => 20000 + Math.floor(Math.random() * 20000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Replica {
  svc: Spawned;
  base: string;
}

/**
 * Two real service processes on one PostgreSQL, one Redis and one S3 bucket, as replicas behind
 * a load balancer run: whatever one replica grants or stores, the other sees.
 */
describe('two replicas on one database, one Redis and one bucket', () => {
  let s3: LocalS3;
  let a: Replica;
  let b: Replica;

  async function start(env: Record<string, string>): Promise<Replica> {
    const port = randomPort();
    const svc = spawnService({
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MIGRATIONS_RUN: 'false',
      ENGINE_POOL_SIZE: '1',
      LOG_LEVEL: 'warn',
    });
    await untilListening(svc);
    return { svc, base: `http://127.0.0.1:${port}` };
  }

  beforeAll(async () => {
    s3 = await startS3rver(BUCKET);
    const shared = {
      ADMIN_API_KEY: ADMIN_KEY,
      AUTH_CACHE_TTL_MS: String(AUTH_CACHE_TTL_MS),
      SIGNED_URL_SECRET: 'replicas-signing-secret-0123456789abcdef',
      ...s3.env,
    };
    [a, b] = await Promise.all([start(shared), start(shared)]);
  }, 120_000);

  afterAll(async () => {
    for (const r of [a, b]) {
      if (r?.svc.child.exitCode === null) {
        r.svc.child.kill('SIGTERM');
        await r.svc.exited;
      }
    }
    await s3?.stop();
  });

  const call = (r: Replica, path: string, key: string, init: RequestInit = {}) =>
    fetch(`${r.base}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${key}`,
        ...(typeof init.body === 'string' ? { 'Content-Type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  async function tenant(overrides: Record<string, unknown> = {}) {
    const tenantId = `t_rep_${Math.random().toString(36).slice(2, 10)}`;
    const created = await call(a, '/v1/admin/tenants', ADMIN_KEY, {
      method: 'POST',
      body: JSON.stringify({ tenant_id: tenantId, name: 'Replica test', ...overrides }),
    });
    expect(created.status).toBe(201);
    const key = await call(a, `/v1/admin/tenants/${tenantId}/keys`, ADMIN_KEY, {
      method: 'POST',
      body: JSON.stringify({ name: 'k' }),
    });
    expect(key.status).toBe(201);
    return (await key.json()) as { key: string; key_id: string };
  }

  function upload(r: Replica, key: string, name: string) {
    const form = new FormData();
    form.append('name', name);
    form.append(
      'voice_file',
      new Blob([new Uint8Array(wavFile(voiceLike(120, 4, 16000), 16000))], { type: 'audio/wav' }),
      'voice.wav',
    );
    return call(r, '/v1/voices/upload', key, { method: 'POST', body: form });
  }

  it('one rate limit: requests alternating between replicas share the budget', async () => {
    const { key } = await tenant({ rate_limit_per_minute: 4 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(i % 2 ? b : a, '/v1/tenant/stats', key)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('one concurrency cap: a stream open on one replica holds the slot on the other', async () => {
    const { key } = await tenant({ max_concurrent_streams: 1 });
    const controller = new AbortController();
    const open = await call(a, '/v1/synthesize/streaming', key, {
      method: 'POST',
      body: JSON.stringify({ text: LONG_TEXT, format: 'mulaw' }),
      signal: controller.signal,
    });
    expect(open.status).toBe(200);
    const refused = await call(b, '/v1/synthesize', key, {
      method: 'POST',
      body: JSON.stringify({ text: 'Hello.' }),
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'too_many_concurrent_requests' });

    controller.abort();
    // The slot comes back once replica A sees the disconnect.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await sleep(100);
      status = (
        await call(b, '/v1/synthesize', key, {
          method: 'POST',
          body: JSON.stringify({ text: 'Hello.' }),
        })
      ).status;
    }
    expect(status).toBe(200);
  });

  it('one voice quota, one store: a voice uploaded on one replica speaks on the other', async () => {
    const { key } = await tenant({ max_voices: 1 });
    const first = await upload(a, key, 'Ada');
    expect(first.status).toBe(200);
    const { voice_id: voiceId } = (await first.json()) as { voice_id: string };

    const second = await upload(b, key, 'Bola');
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'voice_limit_reached' });

    const spoken = await call(b, '/v1/synthesize', key, {
      method: 'POST',
      body: JSON.stringify({ text: 'Hello from the other replica.', voice_id: voiceId }),
    });
    expect(spoken.status).toBe(200);
    expect((await spoken.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('a signed URL made on one replica is served by the other', async () => {
    const { key } = await tenant();
    const created = await call(a, '/v1/synthesize-url', key, {
      method: 'POST',
      body: JSON.stringify({ text: 'Your appointment is at noon.' }),
    });
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    const path = new URL(url).pathname + new URL(url).search;
    const served = await fetch(`${b.base}${path}`);
    expect(served.status).toBe(200);
    const audio = Buffer.from(await served.arrayBuffer());
    expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
  });

  it('a key revoked on one replica is refused by the other within AUTH_CACHE_TTL_MS', async () => {
    const { key, key_id: keyId } = await tenant();
    // Both replicas have the key cached as valid.
    expect((await call(a, '/v1/tenant/stats', key)).status).toBe(200);
    expect((await call(b, '/v1/tenant/stats', key)).status).toBe(200);

    const revoked = await call(a, `/v1/admin/keys/${keyId}`, ADMIN_KEY, { method: 'DELETE' });
    expect(revoked.status).toBeLessThan(300);
    expect((await call(a, '/v1/tenant/stats', key)).status).toBe(401);

    await sleep(AUTH_CACHE_TTL_MS + 200);
    expect((await call(b, '/v1/tenant/stats', key)).status).toBe(401);
  });
});
