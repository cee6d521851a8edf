import { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Voice } from '../apps/api/src/voices/voice.entity';
import { VoicesRepository } from '../apps/api/src/voices/voices.repository';
import { createTenant, createTestApp, TestTenant } from './helpers/test-app';

/** Every write names its owner: another tenant's id, or a built-in voice, is never changed. */
describe('voices repository: owner-scoped writes', () => {
  let app: NestExpressApplication;
  let voices: VoicesRepository;
  let owner: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    app = await createTestApp();
    voices = app.get(VoicesRepository);
    owner = await createTenant(app);
    other = await createTenant(app);
  });
  afterAll(() => app.close());

  const insertOwnersVoice = (): Promise<Voice> =>
    voices.withTenantVoicesLocked(owner.uuid, (tx) =>
      tx.insertVoice({
        id: randomUUID(),
        voiceId: `v_scoped_${randomUUID().slice(0, 8)}`,
        name: 'Original name',
        description: 'Original description',
        language: 'en',
        gender: null,
        accent: null,
        source: 'uploaded',
        engine: 'espeak',
        engineVoice: null,
        referenceStorageKey: null,
        referenceSha256: null,
        referenceDurationMs: null,
        referenceSampleRate: null,
        referenceChannels: null,
        referenceFormat: null,
        cloning: 'approximate',
        conditioning: { espeak: { espeakVoice: 'en-029', variant: 'm3' } },
      }),
    );
  const row = async (id: string) => {
    const rows: { name: string; description: string | null; tenant_id: string | null }[] = await app
      .get(DataSource)
      .query('SELECT name, description, tenant_id FROM voices WHERE id = $1', [id]);
    return rows[0];
  };

  it('stores a new voice under the tenant that holds the transaction', async () => {
    const voice = await insertOwnersVoice();
    expect((await row(voice.id)).tenant_id).toBe(owner.uuid);
  });

  it("an update with another tenant's id changes nothing", async () => {
    const voice = await insertOwnersVoice();
    expect(await voices.updateVoice(other.uuid, voice.id, { name: 'Hijacked' })).toBe(false);
    expect(await row(voice.id)).toEqual({
      name: 'Original name',
      description: 'Original description',
      tenant_id: owner.uuid,
    });
  });

  it("a delete with another tenant's id removes nothing", async () => {
    const voice = await insertOwnersVoice();
    expect(await voices.deleteVoice(other.uuid, voice.id)).toBe(false);
    expect(await row(voice.id)).toMatchObject({ name: 'Original name', tenant_id: owner.uuid });
  });

  it('built-in voices belong to no tenant, so no tenant can change or delete them', async () => {
    const builtin: { id: string; name: string }[] = await app
      .get(DataSource)
      .query(`SELECT id, name FROM voices WHERE source = 'builtin' ORDER BY voice_id LIMIT 1`);
    expect(builtin).toHaveLength(1);
    expect(await voices.updateVoice(owner.uuid, builtin[0].id, { name: 'Renamed' })).toBe(false);
    expect(await voices.deleteVoice(owner.uuid, builtin[0].id)).toBe(false);
    expect(await row(builtin[0].id)).toMatchObject({ name: builtin[0].name, tenant_id: null });
  });

  it('the owner can update and then delete its voice', async () => {
    const voice = await insertOwnersVoice();
    expect(await voices.updateVoice(owner.uuid, voice.id, { name: 'Renamed' })).toBe(true);
    expect(await row(voice.id)).toMatchObject({ name: 'Renamed', tenant_id: owner.uuid });
    expect(await voices.deleteVoice(owner.uuid, voice.id)).toBe(true);
    expect(await row(voice.id)).toBeUndefined();
  });
});
