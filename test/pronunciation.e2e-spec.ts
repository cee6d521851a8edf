import { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { parsePls } from '@cw/text';
import { listen } from './helpers/audio-client';
import { bearer, createTenant, createTestApp, TestTenant } from './helpers/test-app';

const PLS_FILE = readFileSync(
  join(__dirname, '../libs/text/src/pronunciation/__fixtures__/nigerian-names.pls'),
);

/** A pronunciation long enough that its effect on the audio cannot be noise. */
const LONG_IKEJA = 'iːˈkɛdʒa ˌoluwaˈʃɛun ˈadɛbajɔ';

describe('pronunciation dictionaries (real PostgreSQL, real eSpeak)', () => {
  let app: NestExpressApplication;
  let tenant: TestTenant;
  let wsBase: string;

  beforeAll(async () => {
    app = await createTestApp({
      PRONUNCIATION_MAX_DICTIONARIES: '3',
      PRONUNCIATION_MAX_RULES: '6',
      PRONUNCIATION_MAX_BYTES: '400',
      PRONUNCIATION_MAX_FILE_BYTES: '4096',
    });
    wsBase = (await listen(app)).replace(/^http/, 'ws');
  });
  beforeEach(async () => {
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const create = (body: Record<string, unknown>, t: TestTenant = tenant) =>
    http().post('/v1/pronunciation-dictionaries').set(bearer(t.key)).send(body);
  const ikeja = (phoneme = LONG_IKEJA) => ({
    type: 'phoneme',
    string_to_replace: 'Ikeja',
    phoneme,
    alphabet: 'ipa',
  });
  const timestamps = (body: Record<string, unknown>, t: TestTenant = tenant) =>
    http().post('/v1/synthesize/with-timestamps').set(bearer(t.key)).send(body).expect(200);
  const words = (res: request.Response) =>
    (res.body.alignment as { word: string }[]).map((w) => w.word);

  describe('CRUD and versions', () => {
    it('creates, reads, changes rules (each change a new version), keeps old versions, deletes', async () => {
      const created = await create({
        name: 'Branches',
        description: 'Lagos branches',
        rules: [ikeja('ikɛdʒa'), { type: 'alias', string_to_replace: 'GTB', alias: 'G T Bank' }],
      }).expect(201);
      expect(created.body).toMatchObject({
        name: 'Branches',
        description: 'Lagos branches',
        is_default: false,
        version: 1,
        rules_count: 2,
        rules: [
          {
            type: 'phoneme',
            string_to_replace: 'Ikeja',
            phoneme: 'ikɛdʒa',
            alphabet: 'ipa',
            case_sensitive: true,
            word_boundaries: true,
          },
          { type: 'alias', string_to_replace: 'GTB', alias: 'G T Bank' },
        ],
      });
      const id = created.body.id as string;
      expect(id).toMatch(/^pd_[0-9A-Za-z]{20}$/);
      const path = `/v1/pronunciation-dictionaries/${id}`;

      // Re-sending a rule for the same string replaces it; a new string is appended.
      const added = await http()
        .post(`${path}/add-rules`)
        .set(bearer(tenant.key))
        .send({
          rules: [
            { type: 'alias', string_to_replace: 'GTB', alias: 'Guaranty Trust Bank' },
            {
              type: 'alias',
              string_to_replace: 'VI',
              alias: 'Victoria Island',
              case_sensitive: false,
            },
          ],
        })
        .expect(200);
      expect(added.body.version).toBe(2);
      expect(added.body.rules.map((r: { alias?: string }) => r.alias)).toEqual([
        undefined,
        'Guaranty Trust Bank',
        'Victoria Island',
      ]);

      const removed = await http()
        .post(`${path}/remove-rules`)
        .set(bearer(tenant.key))
        .send({ rule_strings: ['Ikeja'] })
        .expect(200);
      expect(removed.body).toMatchObject({ version: 3, rules_count: 2 });

      // Name and the default flag are not rules: no new version.
      const renamed = await http()
        .patch(path)
        .set(bearer(tenant.key))
        .send({ name: 'Lagos branches' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'Lagos branches', version: 3 });

      const latest = await http().get(path).set(bearer(tenant.key)).expect(200);
      expect(
        latest.body.rules.map((r: { string_to_replace: string }) => r.string_to_replace),
      ).toEqual(['GTB', 'VI']);
      const first = await http().get(`${path}?version=1`).set(bearer(tenant.key)).expect(200);
      expect(first.body).toMatchObject({ version: 1, latest_version: 3, rules_count: 2 });
      expect(first.body.rules[1]).toMatchObject({ alias: 'G T Bank' });
      const missingVersion = await http()
        .get(`${path}?version=9`)
        .set(bearer(tenant.key))
        .expect(404);
      expect(missingVersion.body.code).toBe('pronunciation_dictionary_not_found');

      const list = await http()
        .get('/v1/pronunciation-dictionaries')
        .set(bearer(tenant.key))
        .expect(200);
      expect(list.body).toEqual([expect.objectContaining({ id, version: 3, rules_count: 2 })]);

      const noRule = await http()
        .post(`${path}/remove-rules`)
        .set(bearer(tenant.key))
        .send({ rule_strings: ['Ikeja'] })
        .expect(404);
      expect(noRule.body).toMatchObject({
        code: 'pronunciation_rule_not_found',
        rule_strings: ['Ikeja'],
      });

      await http().delete(path).set(bearer(tenant.key)).expect(200, { id, deleted: true });
      const gone = await http().get(path).set(bearer(tenant.key)).expect(404);
      expect(gone.body.code).toBe('pronunciation_dictionary_not_found');
    });

    it.each([
      [
        'an alias rule without alias',
        { name: 'x', rules: [{ type: 'alias', string_to_replace: 'A' }] },
        422,
        'validation_failed',
      ],
      [
        'an unknown rule type',
        { name: 'x', rules: [{ type: 'sound', string_to_replace: 'A', alias: 'a' }] },
        422,
        'validation_failed',
      ],
      [
        'a phoneme rule without alphabet',
        { name: 'x', rules: [{ type: 'phoneme', string_to_replace: 'A', phoneme: 'a' }] },
        422,
        'validation_failed',
      ],
      ['no rules field', { name: 'x' }, 422, 'validation_failed'],
      [
        'an IPA symbol eSpeak cannot say',
        { name: 'x', rules: [ikeja('ʘikɛdʒa')] },
        400,
        'invalid_phoneme',
      ],
    ])('refuses %s', async (_name, body, status, code) => {
      const res = await create(body).expect(status);
      expect(res.body.code).toBe(code);
      expect(res.body.message).toEqual(expect.any(String));
    });

    it('keeps each tenant to its own dictionaries', async () => {
      const other = await createTenant(app);
      const { body } = await create({ name: 'Mine', rules: [ikeja()] }).expect(201);
      const path = `/v1/pronunciation-dictionaries/${body.id}`;
      expect((await http().get(path).set(bearer(other.key)).expect(404)).body.code).toBe(
        'pronunciation_dictionary_not_found',
      );
      await http().delete(path).set(bearer(other.key)).expect(404);
      await http()
        .post(`${path}/add-rules`)
        .set(bearer(other.key))
        .send({ rules: [{ type: 'alias', string_to_replace: 'x', alias: 'y' }] })
        .expect(404);
      expect(
        (await http().get('/v1/pronunciation-dictionaries').set(bearer(other.key))).body,
      ).toEqual([]);
      const used = await http()
        .post('/v1/synthesize')
        .set(bearer(other.key))
        .send({ text: 'Ikeja', pronunciation_dictionary_ids: [body.id] })
        .expect(404);
      expect(used.body).toMatchObject({
        code: 'pronunciation_dictionary_not_found',
        pronunciation_dictionary_ids: [body.id],
      });
      // Still there for its owner.
      await http().get(path).set(bearer(tenant.key)).expect(200);
    });

    it('holds each tenant to its limits on dictionaries, rules and bytes', async () => {
      const alias = (s: string, a = 'x') => ({ type: 'alias', string_to_replace: s, alias: a });
      await create({ name: 'a', rules: [alias('A'), alias('B')] }).expect(201);
      await create({ name: 'b', rules: [alias('C'), alias('D')] }).expect(201);
      const rules = await create({ name: 'c', rules: [alias('E'), alias('F'), alias('G')] }).expect(
        409,
      );
      expect(rules.body).toMatchObject({ code: 'pronunciation_rule_limit_reached', limit: 6 });
      const bytes = await create({ name: 'c', rules: [alias('E', 'y'.repeat(400))] }).expect(409);
      expect(bytes.body.code).toBe('pronunciation_size_limit_reached');
      await create({ name: 'c', rules: [] }).expect(201);
      const count = await create({ name: 'd', rules: [] }).expect(409);
      expect(count.body).toMatchObject({
        code: 'pronunciation_dictionary_limit_reached',
        limit: 3,
      });
      // Another tenant has its own allowance.
      await create({ name: 'a', rules: [alias('A')] }, await createTenant(app)).expect(201);
    });
  });

  describe('PLS files', () => {
    const upload = (file: Buffer | null, name = 'Names') => {
      const req = http()
        .post('/v1/pronunciation-dictionaries/add-from-file')
        .set(bearer(tenant.key))
        .field('name', name);
      return file
        ? req.attach('file', file, { filename: 'names.pls', contentType: 'application/pls+xml' })
        : req;
    };

    it('imports a real PLS file and downloads it as PLS again', async () => {
      const res = await upload(PLS_FILE).expect(201);
      expect(res.body).toMatchObject({ name: 'Names', version: 1, rules_count: 5 });
      expect(res.body.rules).toEqual([
        expect.objectContaining({
          type: 'phoneme',
          string_to_replace: 'Chukwuemeka',
          alias: 'Chook-woo-emeka',
        }),
        expect.objectContaining({ type: 'phoneme', string_to_replace: 'Chukwu-Emeka' }),
        expect.objectContaining({
          type: 'alias',
          string_to_replace: 'GTB',
          alias: 'Guaranty Trust Bank',
        }),
        expect.objectContaining({
          type: 'phoneme',
          string_to_replace: 'Ikeja',
          alphabet: 'x-sampa',
        }),
        expect.objectContaining({ type: 'alias', string_to_replace: 'AT&T' }),
      ]);
      const download = await http()
        .get(`/v1/pronunciation-dictionaries/${res.body.id}/download`)
        .set(bearer(tenant.key))
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (d: string) => (text += d));
          r.on('end', () => done(null, text));
        })
        .expect(200);
      expect(download.headers['content-type']).toMatch(/^application\/pls\+xml/);
      expect(parsePls(download.body as string, 100).rules).toEqual(
        parsePls(PLS_FILE.toString('utf8'), 100).rules,
      );
    });

    it('refuses a file that is not PLS, with where it went wrong', async () => {
      const res = await upload(
        Buffer.from('<lexicon version="1.0">\n<lexeme><grapheme>A</lexeme>'),
      ).expect(400);
      expect(res.body.code).toBe('invalid_pls');
      expect(res.body.line).toBe(2);
      const other = await upload(Buffer.from('<speak>Hello</speak>')).expect(400);
      expect(other.body.message).toMatch(/root element must be <lexicon>/);
    });

    it('refuses a missing file and a file over the size limit', async () => {
      expect((await upload(null).expect(422)).body.code).toBe('validation_failed');
      const big = Buffer.concat([PLS_FILE, Buffer.alloc(5000, 0x20)]);
      expect((await upload(big).expect(413)).body.code).toBe('payload_too_large');
    });
  });

  describe('at synthesis', () => {
    it('says a phoneme rule (audio differs) while timings name the words the caller sent', async () => {
      const text = 'Welcome to Ikeja today';
      const { body } = await create({ name: 'Places', rules: [ikeja()] }).expect(201);
      const plain = await timestamps({ text, pronunciation_dictionary_ids: [] });
      const said = await timestamps({ text, pronunciation_dictionary_ids: [body.id] });
      expect(said.body.duration_s).toBeGreaterThan(plain.body.duration_s * 1.3);
      expect(words(plain)).toEqual(['Welcome', 'to', 'Ikeja', 'today']);
      expect(words(said)).toEqual(['Welcome', 'to', 'Ikeja', 'today']);

      const streamed = await http()
        .post('/v1/synthesize/streaming')
        .set(bearer(tenant.key))
        .send({ text, pronunciation_dictionary_ids: [body.id] })
        .expect(200);
      expect(streamed.headers['x-pronunciation-dictionaries']).toBe(`${body.id}@1`);
      expect(streamed.headers['x-pronunciation-rules-skipped']).toBeUndefined();
    });

    it('applies the tenant’s default dictionaries when a request names none, and none for []', async () => {
      const text = 'Welcome to Ikeja today';
      const before = await timestamps({ text });
      await create({ name: 'Default', is_default: true, rules: [ikeja()] }).expect(201);
      const after = await timestamps({ text });
      expect(after.body.duration_s).toBeGreaterThan(before.body.duration_s * 1.3);
      const optedOut = await timestamps({ text, pronunciation_dictionary_ids: [] });
      expect(optedOut.body.duration_s).toBeLessThan(after.body.duration_s / 1.2);
    });

    it('applies dictionaries in the order named: the first that matches wins', async () => {
      const alias = (a: string) => ({
        name: a,
        rules: [{ type: 'alias', string_to_replace: 'GTB', alias: a }],
      });
      const first = (await create(alias('Guaranty Trust')).expect(201)).body.id as string;
      const second = (await create(alias('Gee Tee Bee')).expect(201)).body.id as string;
      const normalize = (ids: string[]) =>
        http()
          .post('/v1/text/normalize')
          .set(bearer(tenant.key))
          .send({ text: 'Pay GTB now.', pronunciation_dictionary_ids: ids })
          .expect(200);
      expect((await normalize([first, second])).body.spoken_text).toBe('Pay Guaranty Trust now.');
      expect((await normalize([second, first])).body.spoken_text).toBe('Pay Gee Tee Bee now.');
      const tooMany = await http()
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: 'Hi', pronunciation_dictionary_ids: [first, second, first, second] })
        .expect(422);
      expect(tooMany.body.code).toBe('validation_failed');
    });

    it('shows in /v1/text/normalize which rule fired where', async () => {
      const { body } = await create({
        name: 'Mixed',
        rules: [
          { type: 'alias', string_to_replace: 'GTB', alias: 'Guaranty Trust Bank' },
          ikeja('ikɛdʒa'),
        ],
      }).expect(201);
      const res = await http()
        .post('/v1/text/normalize')
        .set(bearer(tenant.key))
        .send({ text: 'GTB in Ikeja opens at 9am.', pronunciation_dictionary_ids: [body.id] })
        .expect(200);
      const spoken = res.body.spoken_text as string;
      expect(spoken).toBe('Guaranty Trust Bank in /ikɛdʒa/ opens at nine a m.');
      expect(res.body.pronunciation_dictionaries).toEqual([{ id: body.id, version: 1 }]);
      expect(res.body.replacements).toEqual([
        {
          original: 'GTB',
          type: 'alias',
          replacement: 'Guaranty Trust Bank',
          start: 0,
          end: 19,
          dictionary_id: body.id,
          version: 1,
          rule_index: 0,
        },
        {
          original: 'Ikeja',
          type: 'phoneme',
          replacement: 'ikɛdʒa',
          alphabet: 'ipa',
          start: 23,
          end: 31,
          dictionary_id: body.id,
          version: 1,
          rule_index: 1,
        },
      ]);
      for (const r of res.body.replacements as {
        start: number;
        end: number;
        type: string;
        replacement: string;
      }[]) {
        const shown = spoken.slice(r.start, r.end);
        expect(shown).toBe(r.type === 'alias' ? r.replacement : `/${r.replacement}/`);
      }
      expect(res.body.skipped).toEqual([]);
    });

    it('speaks SSML <phoneme> with word timings on its text, and refuses symbols it cannot say', async () => {
      const ssml = (ph: string) =>
        `<speak>Welcome to <phoneme alphabet="ipa" ph="${ph}">Ikeja</phoneme> today</speak>`;
      const plain = await timestamps({
        text: 'Welcome to Ikeja today',
        pronunciation_dictionary_ids: [],
      });
      const said = await timestamps({ text: ssml(LONG_IKEJA), ssml: true });
      expect(said.body.duration_s).toBeGreaterThan(plain.body.duration_s * 1.3);
      expect(words(said)).toEqual(['Welcome', 'to', 'Ikeja', 'today']);
      const bad = await http()
        .post('/v1/synthesize')
        .set(bearer(tenant.key))
        .send({ text: ssml('ʘa'), ssml: true })
        .expect(400);
      expect(bad.body.code).toBe('invalid_ssml');
      expect(bad.body.message).toMatch(/U\+0298/);
    });

    it('aligns WebSocket audio on the words the client sent', async () => {
      const { body } = await create({
        name: 'Bank',
        rules: [{ type: 'alias', string_to_replace: 'GTB', alias: 'Guaranty Trust Bank' }],
      }).expect(201);
      const ws = new WebSocket(`${wsBase}/v1/synthesize/ws`, {
        headers: bearer(tenant.key),
      });
      const aligned: string[] = [];
      let audioBytes = 0;
      const done = new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer, binary) => {
          if (binary) {
            audioBytes += data.length;
            return;
          }
          const frame = JSON.parse(data.toString('utf8')) as {
            type: string;
            words?: { word: string }[];
          };
          if (frame.type === 'alignment') aligned.push(...frame.words!.map((w) => w.word));
          if (frame.type === 'error') reject(new Error(data.toString('utf8')));
          if (frame.type === 'done') resolve();
        });
        ws.on('error', reject);
      });
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ type: 'config', pronunciation_dictionary_ids: [body.id] }));
      ws.send(JSON.stringify({ type: 'text', text: 'Your GTB card is ready.' }));
      ws.send(JSON.stringify({ type: 'close' }));
      await done;
      ws.close();
      expect(audioBytes).toBeGreaterThan(0);
      expect(aligned).toEqual(['Your', 'GTB', 'card', 'is', 'ready']);
    });

    it('refuses an unknown dictionary in WebSocket config with the HTTP code', async () => {
      const ws = new WebSocket(`${wsBase}/v1/synthesize/ws`, {
        headers: bearer(tenant.key),
      });
      await new Promise((resolve) => ws.once('open', resolve));
      const frame = new Promise<{ type: string; code: string }>((resolve) =>
        ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
      );
      ws.send(JSON.stringify({ type: 'config', pronunciation_dictionary_ids: ['pd_missing'] }));
      expect(await frame).toMatchObject({
        type: 'error',
        code: 'pronunciation_dictionary_not_found',
      });
      ws.close();
    });
  });
});
