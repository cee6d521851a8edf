import { encodeWav } from '@cw/audio';
import { FakeXttsServer } from '../../../../test/support/fake-xtts-server';
import { voicedSpeech } from '../../../../test/support/synthetic-speech';
import { createEngine } from '../engine.factory';
import {
  EngineError,
  EngineErrorCode,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
} from '../engine.interface';
import { EspeakEngine } from '../espeak/espeak.engine';
import { engineConditioning } from '../voice-conditioning';
import { BUILTIN_VOICE_PRESETS } from '../espeak/voice-presets';
import { XttsEngine } from '../xtts/xtts.engine';
import { FallbackEngine, type FallbackEngineOptions } from './fallback.engine';

// XTTS is the stand-in server (test/support); eSpeak is real, in one worker thread built by
// `npm run build`.
jest.setTimeout(60_000);

const SENTENCE = 'Thank you for calling. Your order is on its way.';

function request(conditioning: VoiceConditioning, overrides: Partial<SynthesisRequest> = {}) {
  return {
    text: SENTENCE,
    language: 'en',
    voice: { id: 'cloned-1', conditioning },
    speed: 1,
    ...overrides,
  } satisfies SynthesisRequest;
}

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

function samplesIn(chunks: PcmChunk[]): number {
  return chunks.reduce((n, c) => n + c.samples.length, 0);
}

async function closedPortUrl(): Promise<string> {
  const server = await FakeXttsServer.start();
  await server.stop();
  return server.url;
}

describe('FallbackEngine (XTTS stand-in, real eSpeak)', () => {
  let server: FakeXttsServer;
  let espeak: EspeakEngine;
  let deadUrl: string;
  let xttsPart: VoiceConditioning;
  const espeakPart = { ...BUILTIN_VOICE_PRESETS.naija_female };
  let both: VoiceConditioning;
  const primaries: XttsEngine[] = [];

  /** A wrapper around a new XTTS engine and the shared eSpeak engine (closed once, at the end). */
  function wrap(url: string, options: FallbackEngineOptions = { cooldownMs: 0 }): FallbackEngine {
    const primary = new XttsEngine({ url, timeoutMs: 1500, streamChunkSize: 4 });
    primaries.push(primary);
    return new FallbackEngine(primary, espeak, options);
  }

  beforeAll(async () => {
    server = await FakeXttsServer.start();
    deadUrl = await closedPortUrl();
    espeak = new EspeakEngine({ poolSize: 1 });
    await espeak.init();
    const cloner = new XttsEngine({ url: server.url });
    const wav = encodeWav(voicedSpeech({ f0Hz: 200, seconds: 3, sampleRate: 24_000 }), 24_000);
    xttsPart = (
      await cloner.cloneVoice({ wav, durationMs: 3000, f0MedianHz: 200, speakingRate: 4 })
    ).conditioning;
    await cloner.close();
    both = { xtts: xttsPart, espeak: espeakPart };
  });

  afterEach(() => server.reset());

  afterAll(async () => {
    await Promise.all(primaries.map((p) => p.close()));
    await espeak.close();
    await server.stop();
  });

  it('speaks as the primary, with the primary’s id and native rate', async () => {
    const engine = wrap(server.url);
    expect(engine.id).toBe('xtts');
    expect(engine.capabilities.nativeSampleRate).toBe(24_000);
    expect(engine.capabilities.cloning).toBe('native');

    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(error).toBeNull();
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.engineId === 'xtts' && c.sampleRate === 24_000)).toBe(true);
    expect(samplesIn(chunks)).toBe(server.streams[0].pcm.length);
  });

  it('speaks with eSpeak, at eSpeak’s own rate, when the XTTS server is down', async () => {
    const engine = wrap(deadUrl, { cooldownMs: 60_000 });
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(error).toBeNull();
    expect(chunks.length).toBeGreaterThan(0);
    // Consumers must resample by chunk.sampleRate: it is not capabilities.nativeSampleRate here.
    expect(chunks.every((c) => c.engineId === 'espeak' && c.sampleRate === 22_050)).toBe(true);
    expect(samplesIn(chunks) / 22_050).toBeGreaterThan(1);

    const health = engine.health();
    expect(health).toMatchObject({
      modelLoaded: false,
      systemTts: `xtts-streaming-server at ${deadUrl}/`,
      streamingSupported: true,
      fallbackMode: true,
      fallback: { id: 'espeak', modelLoaded: true },
    });
  });

  it('falls back when the primary does not answer in time', async () => {
    server.setDelayMs(5000);
    const engine = wrap(server.url);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(error).toBeNull();
    expect(chunks.map((c) => c.engineId)).toEqual(chunks.map(() => 'espeak'));
    await server.waitForCancelledStreams(1);
  });

  it('rethrows the primary’s unavailable when the voice has no eSpeak conditioning', async () => {
    const engine = wrap(deadUrl);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request({ xtts: xttsPart }), new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(EngineErrorCode.Unavailable);
    expect((error as EngineError).message).toMatch(/XTTS server .* is unreachable/);
  });

  it('does not switch voices once the primary has sent audio', async () => {
    server.failMidStreamAfterChunks(2);
    const engine = wrap(server.url);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.every((c) => c.engineId === 'xtts')).toBe(true);
    expect((error as EngineError).code).toBe(EngineErrorCode.Failed);
  });

  it('passes caller errors through instead of falling back', () => {
    const engine = wrap(server.url);
    expect(() => engine.synthesize(request({}), new AbortController().signal)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.UnknownVoice }),
    );
  });

  it('skips a primary that just failed for a while, then tries it again', async () => {
    let now = 1_000;
    const engine = wrap(server.url, { cooldownMs: 10_000, now: () => now });
    server.respondWithStatus(503);
    const first = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(first.chunks.every((c) => c.engineId === 'espeak')).toBe(true);
    expect(server.requestCount).toBe(1);

    server.respondWithStatus(null);
    now += 5_000;
    const second = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(second.chunks.every((c) => c.engineId === 'espeak')).toBe(true);
    expect(server.requestCount).toBe(1);
    expect(engine.health().fallbackMode).toBe(true);

    now += 5_001;
    const third = await collectUntilError(
      engine.synthesize(request(both), new AbortController().signal),
    );
    expect(third.chunks.every((c) => c.engineId === 'xtts')).toBe(true);
    expect(server.requestCount).toBe(2);
    expect(engine.health().fallbackMode).toBe(false);
  });

  it('renders eSpeak-only voices (the built-in presets) with eSpeak, without asking XTTS', async () => {
    const engine = wrap(server.url);
    const voice = { espeak: { ...BUILTIN_VOICE_PRESETS.default } };
    expect(engine.supportsVoice(voice)).toBe(true);
    const { chunks, error } = await collectUntilError(
      engine.synthesize(request(voice), new AbortController().signal),
    );
    expect(error).toBeNull();
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((c) => c.engineId === 'espeak')).toBe(true);
    expect(server.requestCount).toBe(0);
  });

  it('supports a voice when either engine can render its own part', () => {
    const engine = wrap(server.url);
    expect(engine.supportsVoice(both)).toBe(true);
    expect(engine.supportsVoice({ xtts: xttsPart })).toBe(true);
    expect(engine.supportsVoice({ espeak: espeakPart })).toBe(true);
    expect(engine.supportsVoice({ xtts: espeakPart, espeak: xttsPart })).toBe(false);
    expect(engine.supportsVoice(xttsPart)).toBe(false);
    expect(engine.supportsVoice({})).toBe(false);
  });

  it('clones with the primary', async () => {
    const engine = wrap(server.url);
    const wav = encodeWav(voicedSpeech({ f0Hz: 150, seconds: 2, sampleRate: 24_000 }), 24_000);
    const cloned = await engine.cloneVoice!({
      wav,
      durationMs: 2000,
      f0MedianHz: 150,
      speakingRate: 4,
    });
    expect(cloned.cloning).toBe('native');
    expect(engine.primary.supportsVoice(cloned.conditioning)).toBe(true);
    expect(server.requests).toEqual([{ method: 'POST', path: '/clone_speaker' }]);
  });

  it('aborts the fallback’s synthesis too', async () => {
    const engine = wrap(deadUrl);
    const controller = new AbortController();
    const iterator = engine
      .synthesize(request(both, { text: `${SENTENCE} ${SENTENCE} ${SENTENCE}` }), controller.signal)
      [Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ engineId: 'espeak' });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

class StubEngine implements TtsEngine {
  readonly capabilities = {
    parallelism: 1,
    languages: ['en'],
    nativeSampleRate: 16_000,
    ssml: false,
    wordTimings: false,
    cloning: 'none' as const,
    streaming: true,
  };
  readonly calls: string[] = [];

  constructor(
    readonly id: string,
    private readonly closeError: Error | null = null,
  ) {}

  async init(): Promise<void> {
    this.calls.push('init');
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return engineConditioning(voiceConditioning, this.id) ?? {};
  }

  supportsVoice(): boolean {
    return true;
  }

  synthesize(): AsyncIterable<PcmChunk> {
    throw new EngineError(EngineErrorCode.Unavailable, `${this.id} is down`);
  }

  health(): EngineHealth {
    return { modelLoaded: true, systemTts: this.id, streamingSupported: true, queueDepth: 2 };
  }

  async close(): Promise<void> {
    this.calls.push('close');
    if (this.closeError) throw this.closeError;
  }
}

describe('FallbackEngine (lifecycle)', () => {
  it('starts and closes both engines, closing both even when one fails', async () => {
    const primary = new StubEngine('a', new Error('a would not close'));
    const fallback = new StubEngine('b');
    const engine = new FallbackEngine(primary, fallback);
    await engine.init();
    expect([primary.calls, fallback.calls]).toEqual([['init'], ['init']]);
    await expect(engine.close()).rejects.toThrow('a would not close');
    expect(fallback.calls).toEqual(['init', 'close']);
  });

  it('has no cloneVoice when the primary cannot clone, and adds up queue depths', () => {
    const engine = new FallbackEngine(new StubEngine('a'), new StubEngine('b'));
    expect(engine.cloneVoice).toBeUndefined();
    expect(engine.health()).toMatchObject({ queueDepth: 4, fallbackMode: false });
    expect(() => new FallbackEngine(new StubEngine('a'), new StubEngine('a'))).toThrow(/twice/);
  });

  it('surfaces an error thrown synchronously by the fallback from the iterator', async () => {
    const engine = new FallbackEngine(new StubEngine('a'), new StubEngine('b'));
    const { error } = await collectUntilError(
      engine.synthesize(request({ a: {}, b: {} }), new AbortController().signal),
    );
    expect(error).toMatchObject({ code: EngineErrorCode.Unavailable, message: 'b is down' });
  });
});

describe("createEngine('xtts') with a fallback", () => {
  it('wraps XTTS with the embedded eSpeak engine when asked', () => {
    const engine = createEngine('xtts', {
      xtts: { url: 'http://xtts:8000' },
      fallback: 'embedded',
      espeak: { poolSize: 1 },
    });
    expect(engine).toBeInstanceOf(FallbackEngine);
    const wrapper = engine as FallbackEngine;
    expect(wrapper.id).toBe('xtts');
    expect(wrapper.primary).toBeInstanceOf(XttsEngine);
    expect(wrapper.fallback).toBeInstanceOf(EspeakEngine);
  });

  it('serves XTTS alone without a fallback, and refuses an unknown fallback', () => {
    expect(
      createEngine('xtts', { xtts: { url: 'http://xtts:8000' }, fallback: 'none' }),
    ).toBeInstanceOf(XttsEngine);
    expect(() =>
      createEngine('xtts', {
        xtts: { url: 'http://xtts:8000' },
        fallback: 'cloud' as unknown as 'none',
      }),
    ).toThrow(/Unknown engine fallback "cloud"/);
  });
});
