import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeWav } from '@cw/audio';
import {
  embeddingF0,
  FakeXttsServer,
  LATENT_ROWS,
  LATENT_WIDTH,
  SPEAKER_EMBEDDING_SIZE,
} from '../../../../test/support/fake-xtts-server';
import { medianF0, voicedSpeech } from '../../../../test/support/synthetic-speech';
import { createEngine } from '../engine.factory';
import {
  EngineError,
  EngineErrorCode,
  type PcmChunk,
  type SynthesisRequest,
  type VoiceConditioning,
  type VoiceReference,
} from '../engine.interface';
import { XttsEngine } from './xtts.engine';

// Against a real HTTP server speaking the xtts-streaming-server protocol (test/support).
jest.setTimeout(30_000);

const SENTENCE = 'Good afternoon, thank you for calling. Your delivery arrives by four.';
const REFERENCE_F0 = 180;

function reference(f0Hz = REFERENCE_F0): VoiceReference {
  const samples = voicedSpeech({ f0Hz, seconds: 3, sampleRate: 24_000, seed: 7 });
  return { wav: encodeWav(samples, 24_000), durationMs: 3000, f0MedianHz: f0Hz, speakingRate: 4 };
}

function request(conditioning: VoiceConditioning, overrides: Partial<SynthesisRequest> = {}) {
  return {
    text: SENTENCE,
    language: 'en',
    voice: { id: 'cloned-1', conditioning },
    speed: 1,
    ...overrides,
  } satisfies SynthesisRequest;
}

async function collect(iterable: AsyncIterable<PcmChunk>): Promise<PcmChunk[]> {
  const chunks: PcmChunk[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

function concat(chunks: PcmChunk[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c.samples, offset);
    offset += c.samples.length;
  }
  return out;
}

/** Runs `iterable`, returning what arrived before it failed and the failure. */
async function collectUntilError(
  iterable: AsyncIterable<PcmChunk>,
): Promise<{ chunks: PcmChunk[]; error: unknown }> {
  const chunks: PcmChunk[] = [];
  try {
    for await (const chunk of iterable) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: null };
}

function expectEngineError(error: unknown, code: EngineErrorCode, message?: RegExp): void {
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  if (message) expect((error as EngineError).message).toMatch(message);
}

/** A URL where nothing listens: a port that was just free and closed again. */
async function closedPortUrl(): Promise<string> {
  const server = await FakeXttsServer.start();
  await server.stop();
  return server.url;
}

describe('XttsEngine (stand-in xtts-streaming-server)', () => {
  let server: FakeXttsServer;
  let engine: XttsEngine;
  let voice: VoiceConditioning;

  beforeAll(async () => {
    server = await FakeXttsServer.start();
    engine = new XttsEngine({ url: server.url, timeoutMs: 2000, streamChunkSize: 4 });
    await engine.init();
    voice = (await engine.cloneVoice(reference())).conditioning;
  });

  afterEach(() => server.reset());

  afterAll(async () => {
    await engine.close();
    await server.stop();
  });

  it('probes the server at init and reports itself', () => {
    const fresh = new XttsEngine({ url: `${server.url}/` });
    expect(fresh.health()).toEqual({
      modelLoaded: false,
      systemTts: `xtts-streaming-server at ${server.url}/`,
      streamingSupported: true,
      queueDepth: 0,
    });
    expect(engine.health().modelLoaded).toBe(true);
    expect(engine.capabilities).toEqual({
      parallelism: 4,
      languages: expect.arrayContaining(['en', 'zh-cn', 'hi']),
      nativeSampleRate: 24_000,
      ssml: false,
      wordTimings: false,
      cloning: 'native',
      streaming: true,
    });
    expect(engine.capabilities.languages).toHaveLength(17);
  });

  it('clones a voice into the server’s conditioning shapes', async () => {
    const cloned = await engine.cloneVoice(reference(120));
    expect(cloned.cloning).toBe('native');
    expect(Object.keys(cloned.conditioning).sort()).toEqual([
      'gpt_cond_latent',
      'speaker_embedding',
    ]);
    const { speaker_embedding: embedding, gpt_cond_latent: latent } = cloned.conditioning as {
      speaker_embedding: number[];
      gpt_cond_latent: number[][];
    };
    expect(embedding).toHaveLength(SPEAKER_EMBEDDING_SIZE);
    expect(latent).toHaveLength(LATENT_ROWS);
    expect(latent.every((row) => row.length === LATENT_WIDTH)).toBe(true);
    // The stand-in measured the reference like a model would listen to it.
    expect(embeddingF0(embedding)).toBeCloseTo(120, -1);
    expect(engine.supportsVoice(cloned.conditioning)).toBe(true);
    expect(server.requests).toEqual([{ method: 'POST', path: '/clone_speaker' }]);
  });

  it('reports a reference the server cannot read as a failure, not an outage', async () => {
    const bad = { ...reference(), wav: Buffer.from('RIFF....WAVEnot really') };
    const error = await engine.cloneVoice(bad).catch((e: unknown) => e);
    expectEngineError(
      error,
      EngineErrorCode.Failed,
      /answered 400 \(wav_file is not a readable WAV/,
    );
  });

  it('streams several 24 kHz chunks that add up to exactly what the server sent', async () => {
    const chunks = await collect(engine.synthesize(request(voice), new AbortController().signal));
    const [sent] = server.streams;

    expect(sent.outcome).toBe('complete');
    expect(sent.chunksSent).toBeGreaterThanOrEqual(4);
    expect(chunks.length).toBeGreaterThanOrEqual(sent.chunksSent);
    expect(chunks.every((c) => c.sampleRate === 24_000 && c.samples instanceof Int16Array)).toBe(
      true,
    );
    const received = concat(chunks);
    expect(received.length * 2).toBe(sent.bytesSent);
    expect(received.length).toBe(sent.pcm.length);
    // The server split every model chunk inside a sample; the samples still line up exactly.
    expect(sent.writes.some((size) => size % 2 === 1)).toBe(true);
    expect(Buffer.from(received.buffer).equals(Buffer.from(sent.pcm.buffer))).toBe(true);
    // The cloned voice's pitch made it through the embedding into the audio.
    expect(medianF0(received, 24_000)).toBeCloseTo(REFERENCE_F0, -1);
    expect(engine.health()).toMatchObject({ modelLoaded: true, queueDepth: 0 });
  });

  it('sends the documented body: XTTS language code, no WAV header, chunk size as a string', async () => {
    await collect(
      engine.synthesize(
        request(voice, { language: 'en-GB', speed: 1.5, pitch: 1.2 }),
        new AbortController().signal,
      ),
    );
    const body = server.requests[0].json as Record<string, unknown>;
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/tts_stream' });
    // No speed or pitch: the server has no such inputs.
    expect(Object.keys(body).sort()).toEqual([
      'add_wav_header',
      'gpt_cond_latent',
      'language',
      'speaker_embedding',
      'stream_chunk_size',
      'text',
    ]);
    expect(body).toMatchObject({
      text: SENTENCE,
      language: 'en',
      add_wav_header: false,
      stream_chunk_size: '4',
    });

    await collect(
      engine.synthesize(request(voice, { language: 'zh' }), new AbortController().signal),
    );
    expect((server.requests[1].json as { language: string }).language).toBe('zh-cn');
  });

  it('refuses a language XTTS does not speak and a voice that is not XTTS conditioning', () => {
    const signal = new AbortController().signal;
    let error: unknown;
    try {
      engine.synthesize(request(voice, { language: 'yo' }), signal);
    } catch (e) {
      error = e;
    }
    expectEngineError(error, EngineErrorCode.UnsupportedLanguage, /"yo"/);
    expect(() => engine.synthesize(request({ espeakVoice: 'en' }), signal)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.UnknownVoice }),
    );
    expect(engine.supportsVoice({ espeakVoice: 'en' })).toBe(false);
    expect(server.requestCount).toBe(0);
  });

  it('produces nothing for blank text without calling the server', async () => {
    const chunks = await collect(
      engine.synthesize(request(voice, { text: '  ' }), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expect(server.requestCount).toBe(0);
  });

  it('is unavailable before any chunk when nothing listens on the port', async () => {
    const down = new XttsEngine({ url: await closedPortUrl(), timeoutMs: 2000 });
    await expect(down.init()).resolves.toBeUndefined();
    expect(down.health().modelLoaded).toBe(false);

    const { chunks, error } = await collectUntilError(
      down.synthesize(request(voice), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expectEngineError(error, EngineErrorCode.Unavailable, /unreachable: .*ECONNREFUSED/);
    const clone = await down.cloneVoice(reference()).catch((e: unknown) => e);
    expectEngineError(clone, EngineErrorCode.Unavailable, /ECONNREFUSED/);
    expect(down.health()).toMatchObject({ modelLoaded: false, queueDepth: 0 });
    await down.close();
  });

  it('is unavailable when the server does not answer within timeoutMs', async () => {
    const impatient = new XttsEngine({ url: server.url, timeoutMs: 300 });
    server.setDelayMs(5000);
    await impatient.init();
    expect(impatient.health().modelLoaded).toBe(false);

    const started = Date.now();
    const { chunks, error } = await collectUntilError(
      impatient.synthesize(request(voice), new AbortController().signal),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(chunks).toEqual([]);
    expectEngineError(error, EngineErrorCode.Unavailable, /timed out.*sent nothing for 300 ms/);
    // The abandoned request does not linger on the server.
    await server.waitForCancelledStreams(1);
    expect(server.streams).toEqual([]);
    await impatient.close();
  });

  it('counts the wait for the first audio, not just for the response headers', async () => {
    const impatient = new XttsEngine({ url: server.url, timeoutMs: 300 });
    server.setFirstAudioDelayMs(5000);
    const { chunks, error } = await collectUntilError(
      impatient.synthesize(request(voice), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expectEngineError(error, EngineErrorCode.Unavailable, /timed out/);
    await expect(server.streams[0].settled).resolves.toBe('cancelled');
    await impatient.close();
  });

  it('treats a 5xx before the body as unavailable', async () => {
    server.respondWithStatus(503);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(voice), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expectEngineError(error, EngineErrorCode.Unavailable, /answered 503 \(Internal Server Error\)/);
    expect(engine.health().modelLoaded).toBe(false);

    server.respondWithStatus(null);
    await collect(engine.synthesize(request(voice), new AbortController().signal));
    expect(engine.health().modelLoaded).toBe(true);
  });

  it('fails from the iterator, after the audio it got, when the stream breaks mid-way', async () => {
    server.failMidStreamAfterChunks(2);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(voice), new AbortController().signal),
    );
    const [sent] = server.streams;
    expect(sent.outcome).toBe('failed');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(concat(chunks).length * 2).toBe(sent.bytesSent);
    expectEngineError(error, EngineErrorCode.Failed, /stream broke off/);
    expect(engine.health().queueDepth).toBe(0);
  });

  it('fails a stream that goes silent after its first audio, and hangs up', async () => {
    const watchful = new XttsEngine({ url: server.url, streamChunkSize: 4, stallTimeoutMs: 300 });
    server.stallAfterChunks(1);
    const { chunks, error } = await collectUntilError(
      watchful.synthesize(request(voice), new AbortController().signal),
    );
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    expectEngineError(error, EngineErrorCode.Failed, /timed out.*stalled for 300 ms/);
    await server.waitForCancelledStreams(1);
    await watchful.close();
  });

  it('is unavailable when something other than XTTS answers 200 at the URL', async () => {
    const impostor = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Welcome to nginx</html>');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const { port } = impostor.address() as AddressInfo;
    const confused = new XttsEngine({ url: `http://127.0.0.1:${port}` });
    const { chunks, error } = await collectUntilError(
      confused.synthesize(request(voice), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expectEngineError(error, EngineErrorCode.Unavailable, /text\/html, not audio/);
    await confused.close();
    await new Promise((resolve) => impostor.close(resolve));
  });

  it('aborts the HTTP request at once: the iterator throws AbortError and the server sees it', async () => {
    server.setChunkIntervalMs(50);
    const controller = new AbortController();
    const iterator = engine.synthesize(request(voice), controller.signal)[Symbol.asyncIterator]();
    await iterator.next();
    expect(engine.health().queueDepth).toBe(1);

    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(server.streams[0].settled).resolves.toBe('cancelled');
    expect(server.cancelledStreams).toBe(1);
    expect(engine.health().queueDepth).toBe(0);
  });

  it('aborting before the first chunk also ends with AbortError, not unavailable', async () => {
    server.setFirstAudioDelayMs(1000);
    const controller = new AbortController();
    const iterator = engine.synthesize(request(voice), controller.signal)[Symbol.asyncIterator]();
    const pending = iterator.next();
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(server.streams[0].settled).resolves.toBe('cancelled');
  });

  it('closes the connection when the consumer stops reading', async () => {
    server.setChunkIntervalMs(50);
    for await (const chunk of engine.synthesize(request(voice), new AbortController().signal)) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    await expect(server.streams[0].settled).resolves.toBe('cancelled');
    expect(engine.health().queueDepth).toBe(0);
  });

  it('ends running streams as unavailable on close, and refuses work afterwards', async () => {
    const closing = new XttsEngine({ url: server.url, streamChunkSize: 2 });
    server.setChunkIntervalMs(50);
    const iterator = closing
      .synthesize(request(voice), new AbortController().signal)
      [Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    await closing.close();
    await expect(pending).rejects.toMatchObject({ code: EngineErrorCode.Unavailable });
    expect(() => closing.synthesize(request(voice), new AbortController().signal)).toThrow(
      /closed/,
    );
    expect(closing.health().modelLoaded).toBe(false);
  });
});

describe("createEngine('xtts')", () => {
  it('builds the XTTS engine from its options', () => {
    const engine = createEngine('xtts', { xtts: { url: 'http://xtts.internal:8000' } });
    expect(engine).toBeInstanceOf(XttsEngine);
    expect(engine.id).toBe('xtts');
    expect(engine.health().systemTts).toBe('xtts-streaming-server at http://xtts.internal:8000/');
  });

  it('names XTTS_URL when the URL is missing, and rejects one that is not http(s)', () => {
    expect(() => createEngine('xtts')).toThrow(/XTTS_URL/);
    expect(() => createEngine('xtts', { xtts: { url: ' ' } })).toThrow(/XTTS_URL/);
    expect(() => createEngine('xtts', { xtts: { url: 'ftp://x' } })).toThrow(/http/);
    expect(() => createEngine('xtts', { xtts: { url: 'not a url' } })).toThrow(/not a valid URL/);
  });
});
