import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import WebSocket from 'ws';
import { NIGERIAN_LEXICON_ENTRIES, NIGERIAN_LEXICON_VERSION } from '@cw/text';
import { listen } from './helpers/audio-client';
import { FakeXttsServer } from './support/fake-xtts-server';
import {
  bearer,
  binaryParser,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
  TestTenant,
} from './helpers/test-app';

const SENTENCE = 'Please call Chukwuemeka and Oluwaseun at the Ikeja branch.';

/**
 * eSpeak times a text the same way on every run, give or take a millisecond of streaming; the
 * lexicon's names change it by a few hundred. So lengths tell the lexicon's effect apart.
 */
const differs = (a: number, b: number) => Math.abs(a - b) > 0.02 * Math.max(a, b);
const same = (a: number, b: number) => Math.abs(a - b) < 0.005 * Math.max(a, b);
const BUILTIN = `builtin:nigerian@${NIGERIAN_LEXICON_VERSION}`;

describe('built-in Nigerian lexicon (real PostgreSQL, real eSpeak)', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;
  let wsBase: string;

  beforeAll(async () => {
    app = await createTestApp();
    wsBase = (await listen(app)).replace(/^http/, 'ws');
  });
  beforeEach(async () => {
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const synthesize = (body: Record<string, unknown>, t: TestTenant = tenant) =>
    http()
      .post('/v1/synthesize')
      .set(bearer(t.key))
      .send(body)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
  /** Seconds of audio for `body`, from the route that reports them. */
  const duration = async (body: Record<string, unknown>): Promise<number> => {
    const res = await http()
      .post('/v1/synthesize/with-timestamps')
      .set(bearer(tenant.key))
      .send(body)
      .expect(200);
    return res.body.duration_s as number;
  };
  const normalize = (body: Record<string, unknown>) =>
    http().post('/v1/text/normalize').set(bearer(tenant.key)).send(body).expect(200);
  const patchTenant = (body: Record<string, unknown>) =>
    http().patch(`/v1/admin/tenants/${tenant.tenantId}`).set(bearer(TEST_ADMIN_KEY)).send(body);

  /** Audio and alignment of one text spoken over the WebSocket with `config`. */
  async function overWebSocket(
    config: Record<string, unknown>,
  ): Promise<{ audio: Buffer; words: string[] }> {
    const ws = new WebSocket(`${wsBase}/v1/synthesize/ws`, { headers: bearer(tenant.key) });
    const audio: Buffer[] = [];
    const words: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer, binary) => {
        if (binary) {
          audio.push(data);
          return;
        }
        const frame = JSON.parse(data.toString('utf8')) as {
          type: string;
          words?: { word: string }[];
        };
        if (frame.type === 'alignment') words.push(...frame.words!.map((w) => w.word));
        if (frame.type === 'error') reject(new Error(data.toString('utf8')));
        if (frame.type === 'done') resolve();
      });
      ws.on('error', reject);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'config', format: 'pcm', ...config }));
    ws.send(JSON.stringify({ type: 'text', text: SENTENCE }));
    ws.send(JSON.stringify({ type: 'close' }));
    await done;
    ws.close();
    return { audio: Buffer.concat(audio), words };
  }

  it('is on by default: it changes the audio of a sentence with a Nigerian name and says so', async () => {
    const on = await synthesize({ text: SENTENCE });
    const off = await synthesize({ text: SENTENCE, nigerian_lexicon: false });
    expect(on.headers['x-pronunciation-dictionaries']).toBe(BUILTIN);
    expect(off.headers['x-pronunciation-dictionaries']).toBeUndefined();
    expect(on.body.length).toBeGreaterThan(44);
    expect(off.body.length).toBeGreaterThan(44);
    const [onS, offS, againS] = [
      await duration({ text: SENTENCE }),
      await duration({ text: SENTENCE, nigerian_lexicon: false }),
      await duration({ text: SENTENCE }),
    ];
    expect({ onS, offS, differs: differs(onS, offS) }).toMatchObject({ differs: true });
    expect({ onS, againS, same: same(onS, againS) }).toMatchObject({ same: true });
  });

  it('shows in /v1/text/normalize which entry fired, and nothing when switched off', async () => {
    const on = await normalize({ text: SENTENCE });
    expect(on.body.pronunciation_dictionaries).toEqual([
      { id: 'builtin:nigerian', version: NIGERIAN_LEXICON_VERSION },
    ]);
    const index = (g: string) => NIGERIAN_LEXICON_ENTRIES.findIndex((e) => e.grapheme === g);
    expect(on.body.replacements).toEqual([
      expect.objectContaining({
        original: 'Chukwuemeka',
        type: 'phoneme',
        replacement: NIGERIAN_LEXICON_ENTRIES[index('Chukwuemeka')].ipa,
        alphabet: 'ipa',
        dictionary_id: 'builtin:nigerian',
        version: NIGERIAN_LEXICON_VERSION,
        rule_index: index('Chukwuemeka'),
      }),
      expect.objectContaining({ original: 'Oluwaseun', rule_index: index('Oluwaseun') }),
      expect.objectContaining({
        original: 'Ikeja',
        dictionary_id: 'builtin:nigerian',
        rule_index: index('Ikeja'),
      }),
    ]);
    const alias = await normalize({ text: 'Pay with GTBank or MTN.' });
    expect(alias.body.spoken_text).toBe('Pay with G T Bank or M T N.');

    // A short name in capitals within English text is an acronym; said as a name otherwise.
    const acronym = await normalize({
      text: 'IMO, the ABA rules changed. I am from Imo, not Aba.',
    });
    expect((acronym.body.replacements as { original: string }[]).map((r) => r.original)).toEqual([
      'Imo',
      'Aba',
    ]);
    const shouted = await normalize({ text: 'WELCOME TO IMO STATE.' });
    expect((shouted.body.replacements as { original: string }[]).map((r) => r.original)).toEqual([
      'IMO',
    ]);

    const off = await normalize({ text: SENTENCE, nigerian_lexicon: false });
    expect(off.body.pronunciation_dictionaries).toEqual([]);
    expect(off.body.replacements).toEqual([]);
  });

  it('comes after the tenant’s own dictionaries: a tenant rule for a word wins', async () => {
    const { body: dictionary } = await http()
      .post('/v1/pronunciation-dictionaries')
      .set(bearer(tenant.key))
      .send({
        name: 'Branches',
        is_default: true,
        rules: [{ type: 'alias', string_to_replace: 'Ikeja', alias: 'Ikeja Main Branch' }],
      })
      .expect(201);
    const res = await normalize({ text: SENTENCE });
    expect(res.body.pronunciation_dictionaries).toEqual([
      { id: dictionary.id, version: 1 },
      { id: 'builtin:nigerian', version: NIGERIAN_LEXICON_VERSION },
    ]);
    expect(
      (res.body.replacements as { original: string; dictionary_id: string }[]).map((r) => [
        r.original,
        r.dictionary_id,
      ]),
    ).toEqual([
      ['Chukwuemeka', 'builtin:nigerian'],
      ['Oluwaseun', 'builtin:nigerian'],
      ['Ikeja', dictionary.id],
    ]);
    const audio = await synthesize({ text: SENTENCE });
    expect(audio.headers['x-pronunciation-dictionaries']).toBe(`${dictionary.id}@1,${BUILTIN}`);
  });

  it('can be switched off for a tenant through the admin API, and back on per request', async () => {
    const onS = await duration({ text: SENTENCE });
    const offS = await duration({ text: SENTENCE, nigerian_lexicon: false });
    expect(differs(onS, offS)).toBe(true);

    const patched = await patchTenant({ nigerian_lexicon: false }).expect(200);
    expect(patched.body.nigerian_lexicon).toBe(false);
    const tenantOff = await synthesize({ text: SENTENCE });
    expect(tenantOff.headers['x-pronunciation-dictionaries']).toBeUndefined();
    expect(tenantOff.body.length).toBeGreaterThan(44);
    const tenantOffS = await duration({ text: SENTENCE });
    expect({ tenantOffS, offS, same: same(tenantOffS, offS) }).toMatchObject({ same: true });
    expect((await normalize({ text: SENTENCE })).body.replacements).toEqual([]);

    const asked = await synthesize({ text: SENTENCE, nigerian_lexicon: true });
    expect(asked.headers['x-pronunciation-dictionaries']).toBe(BUILTIN);
    const askedS = await duration({ text: SENTENCE, nigerian_lexicon: true });
    expect({ askedS, onS, same: same(askedS, onS) }).toMatchObject({ same: true });

    expect((await patchTenant({ nigerian_lexicon: true }).expect(200)).body.nigerian_lexicon).toBe(
      true,
    );
    const back = await synthesize({ text: SENTENCE });
    expect(back.headers['x-pronunciation-dictionaries']).toBe(BUILTIN);
    const backS = await duration({ text: SENTENCE });
    expect({ backS, onS, same: same(backS, onS) }).toMatchObject({ same: true });
  });

  it('refuses a switch that is not a boolean, on the request and on the tenant', async () => {
    const res = await http()
      .post('/v1/synthesize')
      .set(bearer(tenant.key))
      .send({ text: SENTENCE, nigerian_lexicon: 'no' })
      .expect(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.message).toMatch(/nigerian_lexicon must be true or false/);
    const admin = await patchTenant({ nigerian_lexicon: 'off' }).expect(422);
    expect(admin.body.code).toBe('validation_failed');
  });

  it('is switched off per WebSocket session by its config', async () => {
    const on = await overWebSocket({});
    const off = await overWebSocket({ nigerian_lexicon: false });
    expect(on.audio.length).toBeGreaterThan(0);
    expect(off.audio.length).toBeGreaterThan(0);
    expect(differs(on.audio.length, off.audio.length)).toBe(true);
    // Alignment names the caller's words either way.
    const sent = SENTENCE.replace('.', '').split(' ');
    expect(on.words).toEqual(sent);
    expect(off.words).toEqual(sent);
    const again = await overWebSocket({ nigerian_lexicon: false });
    expect(same(again.audio.length, off.audio.length)).toBe(true);
  });
});

describe('built-in Nigerian lexicon with an engine that takes no phonemes (stand-in XTTS)', () => {
  let xtts: FakeXttsServer;
  let app: NestExpressApplication;

  beforeAll(async () => {
    xtts = await FakeXttsServer.start();
    app = await createTestApp({ TTS_ENGINE: 'xtts', XTTS_URL: xtts.url, XTTS_FALLBACK: 'none' });
  });
  afterAll(async () => {
    await app.close();
    await xtts.stop();
  });

  it('applies only its aliases, and reports its phoneme entries neither as said nor as skipped', async () => {
    const tenant = await createTenant(app);
    const res = await request(app.getHttpServer())
      .post('/v1/text/normalize')
      .set(bearer(tenant.key))
      .send({ text: 'Chukwuemeka banks with GTBank in Lekki.' })
      .expect(200);
    expect(res.body.spoken_text).toBe('Chukwuemeka banks with G T Bank in Lekki.');
    expect(res.body.pronunciation_dictionaries).toEqual([
      { id: 'builtin:nigerian', version: NIGERIAN_LEXICON_VERSION },
    ]);
    expect(
      (res.body.replacements as { original: string; type: string }[]).map((r) => [
        r.original,
        r.type,
      ]),
    ).toEqual([['GTBank', 'alias']]);
    expect(res.body.skipped).toEqual([]);
  });
});
