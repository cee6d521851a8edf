import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PcmChunk, SynthesisRequest, WordTiming } from '../engine.interface';
import { EspeakEngine } from './espeak.engine';
import { findEspeakLibrary, loadNativeEspeak } from './native-espeak';
import { BUILTIN_VOICE_PRESETS } from './voice-presets';

// Both eSpeak builds in real worker threads (the compiled worker from `npm run build`). The
// system library is Debian's libespeak-ng1 (`.ci/run` installs it); without it only the fallback
// tests run, and the native ones are reported as skipped. espeak.engine.spec.ts runs its tests
// (abort, queue, voices) on whichever build the engine picks: the native one where installed.
jest.setTimeout(60_000);

const SENTENCE = 'Good afternoon, Chukwuemeka. Your delivery will arrive in Lekki by four.';
const library = findEspeakLibrary();
const withLibrary = library ? describe : describe.skip;

function request(preset: string, text = SENTENCE): SynthesisRequest {
  return {
    text,
    language: 'en',
    voice: { id: preset, conditioning: { ...BUILTIN_VOICE_PRESETS[preset] } },
    speed: 1,
    sampleRate: 8000,
  };
}

async function speak(engine: EspeakEngine, req: SynthesisRequest) {
  const chunks: PcmChunk[] = [];
  for await (const chunk of engine.synthesize(req, new AbortController().signal)) {
    chunks.push(chunk);
  }
  const samples = chunks.reduce((n, c) => n + c.samples.length, 0);
  const words: WordTiming[] = chunks.flatMap((c) => c.words ?? []);
  return { samples, words };
}

withLibrary('eSpeak on the system library', () => {
  const native = new EspeakEngine({ poolSize: 2 });
  const embedded = new EspeakEngine({ poolSize: 1, library: null });

  beforeAll(() => Promise.all([native.init(), embedded.init()]));
  afterAll(() => Promise.all([native.close(), embedded.close()]));

  it('is the build the engine picks by default, and says so in its health', () => {
    expect(native.health().systemTts).toContain(`native, ${library}`);
    expect(embedded.health().systemTts).toContain('emscripten');
  });

  it.each(Object.keys(BUILTIN_VOICE_PRESETS))(
    'speaks built-in voice %s like the embedded build: same words, same length within 2%%',
    async (preset) => {
      const [a, b] = await Promise.all([
        speak(native, request(preset)),
        speak(embedded, request(preset)),
      ]);
      expect(a.samples).toBeGreaterThan(8000); // over a second of audio at 8 kHz
      expect(Math.abs(a.samples - b.samples) / b.samples).toBeLessThan(0.02);
      expect(a.words.map((w) => w.word)).toEqual(b.words.map((w) => w.word));
      expect(a.words.map((w) => w.word)).toContain('Chukwuemeka');
    },
  );

  it('gives every thread its own copy: two threads at once say the same text alike', async () => {
    // One library shared by two threads would mix their state (the process aborts); each
    // thread's private copy keeps the answers alike however the tasks interleave.
    const texts = Array.from({ length: 24 }, (_, i) => `${SENTENCE} Reference ${i % 3}.`);
    const results = await Promise.all(texts.map((text) => speak(native, request('default', text))));
    for (let i = 3; i < results.length; i++) {
      // eSpeak carries a little state from one utterance to the next: both builds' lengths for
      // the same text vary by up to ~0.4% (measured), so this allows 1%.
      const expected = results[i % 3].samples;
      expect(Math.abs(results[i].samples - expected)).toBeLessThan(expected * 0.01);
      expect(results[i].words.map((w) => w.word)).toEqual(results[i % 3].words.map((w) => w.word));
    }
  });
});

withLibrary('the system library loaded in this thread', () => {
  it("hands out copies of eSpeak's audio: the next synthesis leaves them as they were", () => {
    const { instance } = loadNativeEspeak(library!);
    expect(instance.set_voice('en')).toBe(0);
    const delivered: Int16Array[] = [];
    const atDelivery: Int16Array[] = [];
    instance.synthesize('Thanks for holding.', (samples) => {
      delivered.push(samples);
      atDelivery.push(samples.slice());
      return 0;
    });
    // eSpeak reuses one buffer for every callback: a view on it would change under the caller.
    instance.synthesize(SENTENCE, () => 0);
    const total = delivered.reduce((n, s) => n + s.length, 0);
    expect(total).toBeGreaterThan(instance.samplerate / 2); // over half a second of speech
    expect(delivered.some((s) => s.some((v) => v !== 0))).toBe(true);
    delivered.forEach((samples, i) => expect(samples).toEqual(atDelivery[i]));
  });
});

describe('eSpeak when the system library does not load', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-espeak-spec-'));
  const notALibrary = path.join(dir, 'libespeak-ng.so.1');
  writeFileSync(notALibrary, 'not an ELF file');
  const engine = new EspeakEngine({ poolSize: 1, library: notALibrary });

  beforeAll(() => engine.init());
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to the embedded build, says why, and speaks', async () => {
    expect(engine.health().systemTts).toMatch(/emscripten.*did not load/);
    const result = await speak(engine, request('naija_female'));
    expect(result.samples).toBeGreaterThan(8000);
    expect(result.words.map((w) => w.word)).toContain('Lekki');
  });
});
