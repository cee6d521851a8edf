import { EventEmitter } from 'node:events';
import {
  EngineError,
  EngineErrorCode,
  type PcmChunk,
  type SynthesisRequest,
} from '../engine.interface';
import { threadNices } from '@cw/util';
import { EspeakEngine } from './espeak.engine';
import type { SynthStats } from './espeak.protocol';
import { BUILTIN_VOICE_PRESETS, type EspeakConditioning } from './voice-presets';

// Real eSpeak in real worker threads (the compiled worker from `npm run build`): no timing
// assertions, only what arrives and in which order.
jest.setTimeout(60_000);

const SENTENCE =
  'Good afternoon, thank you for calling. Your delivery will arrive in Lekki by four.';
const LONG_TEXT = Array.from(
  { length: 30 },
  (_, i) => `This is sentence number ${i + 1} of a long announcement for the caller.`,
).join(' ');

const taskDone = new EventEmitter();
/** Resolves with the next `count` finished-task reports from the pool. */
function nextTaskStats(count = 1): Promise<SynthStats[]> {
  return new Promise((resolve) => {
    const seen: SynthStats[] = [];
    const listener = (stats: SynthStats) => {
      seen.push(stats);
      if (seen.length < count) return;
      taskDone.off('done', listener);
      resolve(seen);
    };
    taskDone.on('done', listener);
  });
}

function request(text: string, preset = 'default', overrides: Partial<SynthesisRequest> = {}) {
  return {
    text,
    language: 'en',
    voice: { id: preset, conditioning: { ...BUILTIN_VOICE_PRESETS[preset] } },
    speed: 1,
    ...overrides,
  } satisfies SynthesisRequest;
}

function withVoice(conditioning: Partial<EspeakConditioning>): SynthesisRequest {
  return request(SENTENCE, 'default', {
    voice: { id: 'custom', conditioning: { ...BUILTIN_VOICE_PRESETS.default, ...conditioning } },
  });
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

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Median F0 over voiced 40 ms frames, by normalized autocorrelation between 60 and 400 Hz. */
function medianF0(samples: Int16Array, sampleRate: number): number {
  const frame = Math.round(0.04 * sampleRate);
  const hop = Math.round(0.02 * sampleRate);
  const minLag = Math.floor(sampleRate / 400);
  const maxLag = Math.ceil(sampleRate / 60);
  const energies: number[] = [];
  for (let i = 0; i + frame + maxLag < samples.length; i += hop) {
    let e = 0;
    for (let j = 0; j < frame; j++) e += samples[i + j] * samples[i + j];
    energies.push(e);
  }
  const loudest = Math.max(...energies);
  const f0s: number[] = [];
  energies.forEach((e0, k) => {
    if (e0 < loudest * 0.05) return;
    const i = k * hop;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let cross = 0;
      let e1 = 0;
      for (let j = 0; j < frame; j++) {
        cross += samples[i + j] * samples[i + j + lag];
        e1 += samples[i + j + lag] * samples[i + j + lag];
      }
      const r = cross / Math.sqrt(e0 * e1 + 1e-9);
      if (r > best) {
        best = r;
        bestLag = lag;
      }
    }
    if (best > 0.6) f0s.push(sampleRate / bestLag);
  });
  f0s.sort((a, b) => a - b);
  return f0s[Math.floor(f0s.length / 2)] ?? 0;
}

describe('EspeakEngine (real eSpeak, one worker thread)', () => {
  const engine = new EspeakEngine({
    poolSize: 1,
    maxQueue: 1,
    onTaskDone: (stats) => taskDone.emit('done', stats),
    niceIncrement: 4,
  });

  beforeAll(async () => {
    expect(engine.health().modelLoaded).toBe(false);
    await engine.init();
  });

  afterAll(() => engine.close());

  it('runs its thread at a lower priority than the event loop', () => {
    const threads = threadNices();
    if (threads.length === 0) return; // no /proc: not Linux
    const main = threads.find((t) => t.tid === process.pid)!;
    const lowered = threads.filter((t) => t.nice === Math.min(19, main.nice + 4));
    // The system libespeak-ng also starts an idle thread of its own, which inherits the value.
    const native = engine.health().systemTts.includes('native');
    expect(lowered).toHaveLength(native ? 2 : 1);
  });

  it("sends a piece's first chunk alone and the rest in chunks of half a second", async () => {
    const chunks = await collect(
      engine.synthesize(
        request(SENTENCE, 'default', { sampleRate: 8000 }),
        new AbortController().signal,
      ),
    );
    const sizes = chunks.map((c) => c.samples.length).filter((n) => n > 0);
    // eSpeak calls back every ~100 ms of audio: the first of those leaves at once.
    expect(sizes[0]).toBeLessThan(1000);
    expect(sizes.length).toBeGreaterThan(3);
    for (const size of sizes.slice(1, -1)) expect(size).toBeGreaterThanOrEqual(4000);
  });

  it('reports itself warm, with the languages eSpeak really has', () => {
    const health = engine.health();
    expect(health.modelLoaded).toBe(true);
    expect(health.systemTts).toMatch(/^espeak-ng .*(native|emscripten)/);
    expect(health.queueDepth).toBe(0);
    const languages = engine.capabilities.languages;
    expect(languages).toEqual(expect.arrayContaining(['en', 'en-gb', 'en-029', 'sw', 'fr']));
    // No Nigerian language ships with eSpeak NG.
    for (const code of ['yo', 'ha', 'ig', 'pcm']) expect(languages).not.toContain(code);
  });

  it('accepts every built-in preset', () => {
    for (const conditioning of Object.values(BUILTIN_VOICE_PRESETS)) {
      expect(engine.supportsVoice({ ...conditioning })).toBe(true);
    }
  });

  it('streams a sentence as several non-silent 22050 Hz chunks with word timings', async () => {
    const chunks = await collect(
      engine.synthesize(request(SENTENCE), new AbortController().signal),
    );
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.sampleRate).toBe(22050);
    const audio = concat(chunks);
    expect(rms(audio)).toBeGreaterThan(500);
    // 14 words at roughly 170 words a minute is about 5 s.
    const seconds = audio.length / 22050;
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(10);

    const words = chunks.flatMap((c) => c.words ?? []);
    expect(words.map((w) => w.word)).toEqual(
      expect.arrayContaining(['Good', 'afternoon', 'Lekki', 'four']),
    );
    for (const [i, w] of words.entries()) {
      expect(w.endMs).toBeGreaterThanOrEqual(w.startMs);
      if (i > 0) expect(w.startMs).toBeGreaterThanOrEqual(words[i - 1].startMs);
    }
    expect(words[words.length - 1].endMs).toBeLessThanOrEqual(seconds * 1000 + 1);
  });

  it('renders at a requested rate in its own thread: same duration, same word timings', async () => {
    const signal = new AbortController().signal;
    const native = await collect(engine.synthesize(request(SENTENCE), signal));
    const phone = await collect(
      engine.synthesize(request(SENTENCE, 'default', { sampleRate: 8000 }), signal),
    );
    for (const chunk of phone) expect(chunk.sampleRate).toBe(8000);
    const nativeSeconds = concat(native).length / 22050;
    const phoneAudio = concat(phone);
    // eSpeak's own output varies by a few ms between runs; a lost tail would be far more.
    expect(Math.abs(phoneAudio.length / 8000 - nativeSeconds)).toBeLessThan(0.03);
    expect(rms(phoneAudio)).toBeGreaterThan(500);
    const words = (chunks: PcmChunk[]) => chunks.flatMap((c) => c.words ?? []);
    expect(words(phone).map((w) => w.word)).toEqual(words(native).map((w) => w.word));
    for (const [i, w] of words(phone).entries()) {
      expect(Math.abs(w.startMs - words(native)[i].startMs)).toBeLessThan(30);
    }
  });

  it('hands over the first chunk while the thread is still synthesizing', async () => {
    const order: string[] = [];
    const done = nextTaskStats().then(() => order.push('thread finished'));
    const stream = engine.synthesize(request(LONG_TEXT), new AbortController().signal);
    for await (const chunk of stream) {
      if (order.length === 0 && chunk.samples.length > 0) order.push('first chunk');
    }
    await done;
    expect(order).toEqual(['first chunk', 'thread finished']);
  });

  it('stops at once on abort and the same thread serves the next request', async () => {
    const full = nextTaskStats();
    await collect(engine.synthesize(request(LONG_TEXT), new AbortController().signal));
    const [complete] = await full;

    const controller = new AbortController();
    const received: PcmChunk[] = [];
    const aborted = nextTaskStats();
    const iteration = (async () => {
      for await (const chunk of engine.synthesize(request(LONG_TEXT), controller.signal)) {
        received.push(chunk);
        if (received.length === 2) controller.abort();
      }
    })();
    await expect(iteration).rejects.toMatchObject({ name: 'AbortError' });
    expect(received).toHaveLength(2);

    const [stopped] = await aborted;
    expect(stopped.aborted).toBe(true);
    expect(stopped.samples).toBeLessThan(complete.samples / 2);

    const next = nextTaskStats();
    const chunks = await collect(
      engine.synthesize(request(SENTENCE), new AbortController().signal),
    );
    expect(chunks.length).toBeGreaterThan(0);
    const [served] = await next;
    expect(served.aborted).toBe(false);
    expect(served.threadId).toBe(stopped.threadId);
  });

  it('stops the thread when the consumer breaks out early', async () => {
    const stats = nextTaskStats();
    const stream = engine.synthesize(request(LONG_TEXT), new AbortController().signal);
    for await (const chunk of stream) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    const [stopped] = await stats;
    expect(stopped.aborted).toBe(true);
  });

  it('throws an AbortError for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      collect(engine.synthesize(request(SENTENCE), controller.signal)),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects an unknown eSpeak voice or variant before doing any work', () => {
    for (const bad of [{ espeakVoice: 'yoruba' }, { variant: 'f9' }, { rate: 'fast' }]) {
      const req = withVoice(bad as Partial<EspeakConditioning>);
      expect(engine.supportsVoice(req.voice.conditioning)).toBe(false);
      expect(() => engine.synthesize(req, new AbortController().signal)).toThrow(
        expect.objectContaining({ code: EngineErrorCode.UnknownVoice }),
      );
    }
    expect(engine.health().queueDepth).toBe(0);
  });

  it('rejects a language eSpeak cannot speak, and switches voice for one it can', async () => {
    expect(() =>
      engine.synthesize(
        request(SENTENCE, 'default', { language: 'yo' }),
        new AbortController().signal,
      ),
    ).toThrow(expect.objectContaining({ code: EngineErrorCode.UnsupportedLanguage }));
    const french = await collect(
      engine.synthesize(
        request('Bonjour, merci de votre appel.', 'naija_female', { language: 'fr' }),
        new AbortController().signal,
      ),
    );
    expect(rms(concat(french))).toBeGreaterThan(500);
  });

  it('throws engine_busy when the queue is full', async () => {
    const first = new AbortController();
    const second = new AbortController();
    const settled = nextTaskStats(2);
    const running = collect(engine.synthesize(request(LONG_TEXT), first.signal));
    const queued = collect(engine.synthesize(request(LONG_TEXT), second.signal));
    let busy: unknown;
    try {
      engine.synthesize(request(SENTENCE), new AbortController().signal);
    } catch (error) {
      busy = error;
    }
    expect(busy).toBeInstanceOf(EngineError);
    expect(busy).toMatchObject({ code: EngineErrorCode.Busy, retryAfterS: expect.any(Number) });

    first.abort();
    second.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await settled;
  });

  it('renders the female presets with a clearly higher F0 than the male ones', async () => {
    const f0 = async (preset: string) => {
      const chunks = await collect(
        engine.synthesize(request(SENTENCE, preset), new AbortController().signal),
      );
      return medianF0(concat(chunks), 22050);
    };
    const naijaFemale = await f0('naija_female');
    const naijaMale = await f0('naija_male');
    const proFemale = await f0('professional_female');
    const proMale = await f0('professional_male');
    expect(naijaFemale).toBeGreaterThan(naijaMale * 1.5);
    expect(proFemale).toBeGreaterThan(proMale * 1.5);
    expect(Math.min(naijaFemale, proFemale)).toBeGreaterThan(160);
    expect(Math.max(naijaMale, proMale)).toBeLessThan(130);
  });

  it('speaks clearly faster at speed 2.0 than at 0.5', async () => {
    const length = async (speed: number) =>
      concat(
        await collect(
          engine.synthesize(request(SENTENCE, 'default', { speed }), new AbortController().signal),
        ),
      ).length;
    const fast = await length(2);
    const slow = await length(0.5);
    expect(fast).toBeLessThan(slow * 0.6);
  });

  it('says a phoneme pronunciation instead of the spelling, with timings on the original word', async () => {
    const text = 'Welcome to Ikeja today';
    const start = text.indexOf('Ikeja');
    const plain = await collect(engine.synthesize(request(text), new AbortController().signal));
    // A deliberately long pronunciation, so the difference cannot be noise.
    const said = await collect(
      engine.synthesize(
        request(text, 'default', {
          pronunciations: [
            {
              start,
              end: start + 5,
              say: { kind: 'phoneme', phoneme: 'iːˈkɛdʒa ˌoluwaˈʃɛun ˈadɛbajɔ', alphabet: 'ipa' },
            },
          ],
        }),
        new AbortController().signal,
      ),
    );
    expect(concat(said).length).toBeGreaterThan(concat(plain).length * 1.3);
    expect(rms(concat(said))).toBeGreaterThan(500);
    const words = (chunks: PcmChunk[]) => chunks.flatMap((c) => c.words ?? []).map((w) => w.word);
    expect(words(plain)).toEqual(['Welcome', 'to', 'Ikeja', 'today']);
    // Three eSpeak words inside the span are one word of the caller's text.
    expect(words(said)).toEqual(['Welcome', 'to', 'Ikeja', 'today']);
  });

  it('says an alias in place of a span, with timings on the original word', async () => {
    const text = 'Pay GTB now';
    const chunks = await collect(
      engine.synthesize(
        request(text, 'default', {
          pronunciations: [
            { start: 4, end: 7, say: { kind: 'alias', text: 'Guaranty Trust Bank & co' } },
          ],
        }),
        new AbortController().signal,
      ),
    );
    const words = chunks.flatMap((c) => c.words ?? []);
    expect(words.map((w) => w.word)).toEqual(['Pay', 'GTB', 'now']);
    // The alias takes longer to say than three letters would leave room for before "now".
    expect(words[2].startMs - words[1].startMs).toBeGreaterThan(600);
  });

  it('ends at once with no chunks for blank text', async () => {
    await expect(
      collect(engine.synthesize(request('  '), new AbortController().signal)),
    ).resolves.toEqual([]);
  });
});

describe('EspeakEngine before init', () => {
  it('is not ready and refuses work', () => {
    const engine = new EspeakEngine({ poolSize: 1 });
    expect(engine.health()).toMatchObject({ modelLoaded: false, streamingSupported: true });
    expect(engine.supportsVoice({ ...BUILTIN_VOICE_PRESETS.default })).toBe(false);
    expect(() => engine.synthesize(request(SENTENCE), new AbortController().signal)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.Unavailable }),
    );
  });
});
