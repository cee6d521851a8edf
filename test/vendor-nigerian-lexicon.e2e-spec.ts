import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import WebSocket from 'ws';
import { listen } from './helpers/audio-client';
import {
  bearer,
  binaryParser,
  createTenant,
  createTestApp,
  TEST_ADMIN_KEY,
  TestTenant,
} from './helpers/test-app';

const SENTENCE = 'Please call Chukwuemeka and Oluwaseun at the Ikeja branch.';

/** The lexicon's names change a sentence's length by a few hundred ms; eSpeak is repeatable. */
const differs = (a: number, b: number) => Math.abs(a - b) > 0.02 * Math.max(a, b);
const same = (a: number, b: number) => Math.abs(a - b) < 0.005 * Math.max(a, b);

/**
 * The built-in lexicon on the vendor-compatible routes, whose bodies must stay the vendors': the
 * tenant's setting applies, and `?nigerian_lexicon=true|false` switches it per request.
 */
describe('built-in Nigerian lexicon on the vendor-compatible routes (real PostgreSQL, real eSpeak)', () => {
  let app: NestExpressApplication;
  let wsBase: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await createTestApp();
    wsBase = (await listen(app)).replace(/^http/, 'ws');
    tenant = await createTenant(app);
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());
  const query = (lexicon?: string) => (lexicon === undefined ? '' : `nigerian_lexicon=${lexicon}`);

  /** One request per surface, raw 16-bit PCM, as each vendor's clients send it. */
  const surfaces: Record<string, (lexicon?: string) => request.Test> = {
    openai: (lexicon) =>
      http()
        .post(`/v1/audio/speech?${query(lexicon)}`)
        .set(bearer(tenant.key))
        .send({ model: 'tts-1', input: SENTENCE, voice: 'alloy', response_format: 'pcm' }),
    elevenlabs: (lexicon) =>
      http()
        .post(`/elevenlabs/v1/text-to-speech/default?output_format=pcm_16000&${query(lexicon)}`)
        .set('xi-api-key', tenant.key)
        .send({ text: SENTENCE, model_id: 'eleven_flash_v2_5' }),
    cartesia: (lexicon) =>
      http()
        .post(`/tts/bytes?${query(lexicon)}`)
        .set({ 'X-API-Key': tenant.key, 'Cartesia-Version': '2025-04-16' })
        .send({
          model_id: 'sonic-2',
          transcript: SENTENCE,
          voice: { mode: 'id', id: 'default' },
          output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
        }),
    deepgram: (lexicon) =>
      http()
        .post(
          `/v1/speak?model=naija_male&encoding=linear16&container=none&sample_rate=16000&${query(lexicon)}`,
        )
        .set('Authorization', `Token ${tenant.key}`)
        .send({ text: SENTENCE }),
  };

  const bytes = async (surface: string, lexicon?: string): Promise<number> => {
    const res = await surfaces[surface](lexicon).buffer(true).parse(binaryParser);
    expect({ surface, status: res.status }).toEqual({ surface, status: 200 });
    return (res.body as Buffer).length;
  };
  const setTenant = (on: boolean) =>
    http()
      .patch(`/v1/admin/tenants/${tenant.tenantId}`)
      .set(bearer(TEST_ADMIN_KEY))
      .send({ nigerian_lexicon: on })
      .expect(200);

  /** stream-input with `query`: the sentence, end of input; the audio's length in bytes. */
  async function elevenLabsSocket(extra: string): Promise<number> {
    const ws = new WebSocket(
      `${wsBase}/elevenlabs/v1/text-to-speech/default/stream-input?output_format=pcm_16000&${extra}`,
      { headers: { 'xi-api-key': tenant.key } },
    );
    let audio = 0;
    const errors: unknown[] = [];
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { audio?: string; error?: string };
      if (frame.audio) audio += Buffer.from(frame.audio, 'base64').length;
      if (frame.error) errors.push(frame);
    });
    const closed = new Promise((resolve) => ws.on('close', resolve));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ text: ' ' }));
    ws.send(JSON.stringify({ text: `${SENTENCE} ` }));
    ws.send(JSON.stringify({ text: '' }));
    await closed;
    expect(errors).toEqual([]);
    return audio;
  }

  it.each(Object.keys(surfaces))(
    '%s: the tenant setting applies, and ?nigerian_lexicon= switches it for one request',
    async (surface) => {
      await setTenant(true);
      const on = await bytes(surface);
      const off = await bytes(surface, 'false');
      expect({ on, off, differs: differs(on, off) }).toMatchObject({ differs: true });
      const asked = await bytes(surface, 'true');
      expect({ on, asked, same: same(on, asked) }).toMatchObject({ same: true });

      await setTenant(false);
      const tenantOff = await bytes(surface);
      expect({ off, tenantOff, same: same(off, tenantOff) }).toMatchObject({ same: true });
      const askedOn = await bytes(surface, 'true');
      expect({ on, askedOn, same: same(on, askedOn) }).toMatchObject({ same: true });
      await setTenant(true);
    },
  );

  it('the ElevenLabs, Deepgram and Cartesia sockets take it from the URL too', async () => {
    await setTenant(true);
    const on = await elevenLabsSocket('');
    const off = await elevenLabsSocket('nigerian_lexicon=false');
    expect({ on, off, differs: differs(on, off) }).toMatchObject({ differs: true });

    const deepgram = async (extra: string) => {
      const ws = new WebSocket(
        `${wsBase}/v1/speak?model=naija_male&encoding=linear16&sample_rate=16000&${extra}`,
        { headers: { Authorization: `Token ${tenant.key}` } },
      );
      let audio = 0;
      ws.on('message', (data: Buffer, binary: boolean) => {
        if (binary) audio += data.length;
        else if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'Flushed') {
          ws.send(JSON.stringify({ type: 'Close' }));
        }
      });
      const closed = new Promise((resolve) => ws.on('close', resolve));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'Speak', text: SENTENCE }));
      ws.send(JSON.stringify({ type: 'Flush' }));
      await closed;
      return audio;
    };
    const dgOn = await deepgram('');
    const dgOff = await deepgram('nigerian_lexicon=false');
    expect({ dgOn, dgOff, differs: differs(dgOn, dgOff) }).toMatchObject({ differs: true });

    /** Cartesia's wire format: one generation request, chunks of base64 audio, then done. */
    const cartesia = async (extra: string) => {
      const ws = new WebSocket(`${wsBase}/tts/websocket?cartesia_version=2025-04-16&${extra}`, {
        headers: { 'X-API-Key': tenant.key },
      });
      let audio = 0;
      const done = new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer) => {
          const m = JSON.parse(data.toString('utf8')) as { type: string; data?: string };
          if (m.type === 'chunk' && m.data) audio += Buffer.from(m.data, 'base64').length;
          if (m.type === 'error') reject(new Error(data.toString('utf8')));
          if (m.type === 'done') resolve();
        });
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(
        JSON.stringify({
          model_id: 'sonic-2',
          transcript: SENTENCE,
          voice: { mode: 'id', id: 'default' },
          output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
          context_id: 'c1',
          continue: false,
        }),
      );
      await done;
      ws.close();
      return audio;
    };
    const ctOn = await cartesia('');
    const ctOff = await cartesia('nigerian_lexicon=false');
    expect({ ctOn, ctOff, differs: differs(ctOn, ctOff) }).toMatchObject({ differs: true });
  });

  it('a value other than true or false is refused (validation_failed: 422, or 400 where the vendor says so), in each vendor’s shape', async () => {
    const el = await surfaces.elevenlabs('off');
    expect(el.status).toBe(422);
    expect(el.body).toMatchObject({
      detail: { status: 'validation_failed', message: 'nigerian_lexicon must be true or false' },
    });
    // OpenAI answers every invalid request with 400.
    const openai = await surfaces.openai('no');
    expect(openai.status).toBe(400);
    expect(openai.body).toEqual({
      error: {
        message: 'nigerian_lexicon must be true or false',
        type: 'invalid_request_error',
        param: 'nigerian_lexicon',
        code: 'invalid_value',
      },
    });
    // So do Deepgram and Cartesia.
    const deepgram = await surfaces.deepgram('0');
    expect(deepgram.status).toBe(400);
    expect(JSON.stringify(deepgram.body)).toContain('nigerian_lexicon must be true or false');
    const cartesia = await surfaces.cartesia('yes');
    expect(cartesia.status).toBe(400);
    expect(JSON.stringify(cartesia.body)).toContain('nigerian_lexicon must be true or false');

    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(
        `${wsBase}/elevenlabs/v1/text-to-speech/default/stream-input?nigerian_lexicon=maybe`,
        { headers: { 'xi-api-key': tenant.key } },
      );
      ws.on('open', () => reject(new Error('upgrade was accepted')));
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(refused).toBe(422);
  });
});
