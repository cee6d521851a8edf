import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EngineError,
  EngineErrorCode,
  type PcmChunk,
  type SynthesisRequest,
} from '../engine.interface';
import { BUILTIN_VOICE_PRESETS } from '../espeak/voice-presets';
import { FestivalEngine } from './festival.engine';

// The real Debian festival with festvox-us-slt-hts (.ci/run installs both). No timing
// assertions: only what arrives, how long the audio is, and which processes did the work.
jest.setTimeout(120_000);

const SENTENCE = 'Hello, thank you for calling. How can I help you today?';
const LONG_TEXT = Array.from(
  { length: 12 },
  (_, i) => `This is sentence number ${i + 1} of a long announcement for the caller.`,
).join(' ');

function request(text: string, overrides: Partial<SynthesisRequest> = {}): SynthesisRequest {
  return {
    text,
    language: 'en',
    voice: {
      id: 'naija_female',
      conditioning: { gender: 'female', rate: 1 },
    },
    speed: 1,
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<PcmChunk>): Promise<PcmChunk[]> {
  const chunks: PcmChunk[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

function durationS(chunks: PcmChunk[]): number {
  return chunks.reduce((sum, c) => sum + c.samples.length / c.sampleRate, 0);
}

function rmsDbfs(chunks: PcmChunk[]): number {
  let sum = 0;
  let n = 0;
  for (const c of chunks) {
    for (const s of c.samples) sum += s * s;
    n += c.samples.length;
  }
  return 20 * Math.log10(Math.sqrt(sum / Math.max(1, n)) / 32768);
}

/** Waits (without a clock) until `check` holds, giving the event loop a turn between looks. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('FestivalEngine (real festival)', () => {
  let engine: FestivalEngine;

  beforeAll(async () => {
    engine = new FestivalEngine({ poolSize: 2 });
    await engine.init();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('starts its processes and reports the voice and version', () => {
    expect(engine.unavailableReason).toBeNull();
    const health = engine.health();
    expect(health.modelLoaded).toBe(true);
    expect(health.systemTts).toMatch(/^festival \d+\.\d+.*cmu_us_slt_arctic_hts, 2 processes/);
    expect(engine.workerPids()).toHaveLength(2);
    expect(engine.capabilities).toMatchObject({
      parallelism: 2,
      nativeSampleRate: 32000,
      wordTimings: false,
      streaming: true,
    });
  });

  it('renders real speech: non-silent, as long as the text, renderMs on the last chunk only', async () => {
    const chunks = await collect(
      engine.synthesize(request(SENTENCE), new AbortController().signal),
    );
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.sampleRate === 32000)).toBe(true);
    // 11 words at a calm pace: about 3.4 s.
    expect(durationS(chunks)).toBeGreaterThan(2);
    expect(durationS(chunks)).toBeLessThan(6);
    expect(rmsDbfs(chunks)).toBeGreaterThan(-35);
    expect(chunks.slice(0, -1).every((c) => c.renderMs === undefined)).toBe(true);
    expect(chunks.at(-1)!.renderMs).toBeGreaterThan(0);
  });

  it('answers at the asked rate, converted in the festival process', async () => {
    const native = await collect(
      engine.synthesize(request(SENTENCE), new AbortController().signal),
    );
    const phone = await collect(
      engine.synthesize(request(SENTENCE, { sampleRate: 8000 }), new AbortController().signal),
    );
    expect(phone.every((c) => c.sampleRate === 8000)).toBe(true);
    expect(durationS(phone)).toBeCloseTo(durationS(native), 1);
    expect(rmsDbfs(phone)).toBeGreaterThan(-35);
  });

  it('speaks faster with speed and the voice’s rate', async () => {
    const normal = durationS(
      await collect(engine.synthesize(request(SENTENCE), new AbortController().signal)),
    );
    const fast = durationS(
      await collect(
        engine.synthesize(request(SENTENCE, { speed: 1.5 }), new AbortController().signal),
      ),
    );
    const slowVoice = durationS(
      await collect(
        engine.synthesize(
          request(SENTENCE, { voice: { id: 'slow', conditioning: { rate: 0.7 } } }),
          new AbortController().signal,
        ),
      ),
    );
    expect(fast / normal).toBeGreaterThan(0.55);
    expect(fast / normal).toBeLessThan(0.8);
    expect(slowVoice / normal).toBeGreaterThan(1.25);
  });

  it('says hostile text without running it as Scheme, and the process lives on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-festival-'));
    const marker = join(dir, 'pwned');
    try {
      const pids = engine.workerPids();
      const hostile = [
        `Say "${'")'} (system "touch ${marker}") ("`,
        `back\\slash \\" and a lone \\`,
        'parens (((( and )))) and ; a comment',
        'line one\nline two\r\n\ttabbed',
        'Adé from Ọ̀yọ́ paid ₦500 — “thanks” 你好 👋🏽',
        '") (quit) ("',
      ];
      for (const text of hostile) {
        const chunks = await collect(
          engine.synthesize(request(text), new AbortController().signal),
        );
        expect(durationS(chunks)).toBeGreaterThan(0.3);
        expect(rmsDbfs(chunks)).toBeGreaterThan(-40);
      }
      expect(existsSync(marker)).toBe(false);
      expect(engine.workerPids().sort()).toEqual(pids.sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers nothing for text with nothing sayable, without using a process', async () => {
    await expect(
      collect(engine.synthesize(request('你好 👋'), new AbortController().signal)),
    ).resolves.toEqual([]);
  });

  it('runs pieces in parallel on its processes and queues the rest', async () => {
    const signal = new AbortController().signal;
    const streams = [1, 2, 3].map((i) => engine.synthesize(request(`Caller number ${i}.`), signal));
    // Two processes took a piece each; the third waits for one of them.
    expect(engine.health().queueDepth).toBe(1);
    const results = await Promise.all(streams.map(collect));
    for (const chunks of results) expect(durationS(chunks)).toBeGreaterThan(0.5);
    expect(engine.health().queueDepth).toBe(0);
  });

  it('refuses other languages and unknown voices with their codes', () => {
    const signal = new AbortController().signal;
    expect(() => engine.synthesize(request(SENTENCE, { language: 'fr' }), signal)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.UnsupportedLanguage }),
    );
    const unknown = { id: 'x', conditioning: { voice: 'no_such_voice' } };
    expect(engine.supportsVoice(unknown.conditioning)).toBe(false);
    expect(() => engine.synthesize(request(SENTENCE, { voice: unknown }), signal)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.UnknownVoice }),
    );
  });

  it('maps every built-in voice onto an installed voice', () => {
    for (const preset of Object.values(BUILTIN_VOICE_PRESETS)) {
      const conditioning = engine.conditioningFor({ espeak: { ...preset } });
      expect(engine.supportsVoice(conditioning)).toBe(true);
    }
  });
});

describe('FestivalEngine: aborts, dead processes, limits', () => {
  it('abort ends the stream at once and the process takes the next piece after it', async () => {
    // A grace long enough that the piece is always drained here, whatever the machine's load.
    const engine = new FestivalEngine({ poolSize: 1, abortGraceMs: 120_000 });
    await engine.init();
    try {
      const pid = engine.workerPids()[0];
      const controller = new AbortController();
      const pending = collect(engine.synthesize(request(LONG_TEXT), controller.signal));
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      const next = await collect(
        engine.synthesize(request('Still here.'), new AbortController().signal),
      );
      expect(durationS(next)).toBeGreaterThan(0.4);
      // The piece was drained, not the process killed.
      expect(engine.workerPids()).toEqual([pid]);
    } finally {
      await engine.close();
    }
  });

  it('with abortGraceMs 0 an abort kills the process and a new one serves the next piece', async () => {
    const engine = new FestivalEngine({ poolSize: 1, abortGraceMs: 0 });
    await engine.init();
    try {
      const pid = engine.workerPids()[0];
      const controller = new AbortController();
      // Aborted before anyone reads the stream: the process is still freed (here: killed).
      const stream = engine.synthesize(request(LONG_TEXT), controller.signal);
      controller.abort();
      await expect(collect(stream)).rejects.toMatchObject({ name: 'AbortError' });
      // The next piece waits in the queue for the replacement process.
      const next = await collect(
        engine.synthesize(request('Still here.'), new AbortController().signal),
      );
      expect(durationS(next)).toBeGreaterThan(0.4);
      expect(engine.workerPids()).toHaveLength(1);
      expect(engine.workerPids()[0]).not.toBe(pid);
    } finally {
      await engine.close();
    }
  });

  it('a killed process fails its piece with synthesis_failed and is replaced', async () => {
    const engine = new FestivalEngine({ poolSize: 1 });
    await engine.init();
    try {
      const pid = engine.workerPids()[0];
      const pending = collect(engine.synthesize(request(LONG_TEXT), new AbortController().signal));
      process.kill(pid, 'SIGKILL');
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: EngineErrorCode.Failed });
      expect((error as Error).message).toMatch(/SIGKILL/);

      await until(() => engine.health().modelLoaded && engine.workerPids()[0] !== pid);
      const next = await collect(
        engine.synthesize(request('Back again.'), new AbortController().signal),
      );
      expect(durationS(next)).toBeGreaterThan(0.4);
      expect(engine.workerPids()[0]).not.toBe(pid);
    } finally {
      await engine.close();
    }
  });

  it('a piece over the timeout fails and its process is replaced', async () => {
    const engine = new FestivalEngine({ poolSize: 1, timeoutMs: 1 });
    await engine.init();
    try {
      const pid = engine.workerPids()[0];
      await expect(
        collect(engine.synthesize(request(LONG_TEXT), new AbortController().signal)),
      ).rejects.toMatchObject({
        code: EngineErrorCode.Failed,
        message: expect.stringMatching(/longer than 1 ms/),
      });
      await until(() => engine.workerPids().length === 1 && engine.workerPids()[0] !== pid);
    } finally {
      await engine.close();
    }
  });

  it('a full queue answers engine_busy with a retry hint', async () => {
    const engine = new FestivalEngine({ poolSize: 1, maxQueue: 1 });
    await engine.init();
    const controller = new AbortController();
    try {
      const running = collect(engine.synthesize(request(LONG_TEXT), controller.signal));
      const waiting = collect(engine.synthesize(request(LONG_TEXT), controller.signal));
      expect(() => engine.synthesize(request(SENTENCE), controller.signal)).toThrow(
        expect.objectContaining({ code: EngineErrorCode.Busy, retryAfterS: 1 }),
      );
      controller.abort();
      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      expect(engine.health().queueDepth).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('without the program it boots unavailable and says what to install', async () => {
    const engine = new FestivalEngine({ binary: '/nonexistent/bin/festival' });
    await engine.init();
    expect(engine.health().modelLoaded).toBe(false);
    expect(engine.health().systemTts).toMatch(/unavailable.*\/nonexistent\/bin\/festival/);
    expect(engine.unavailableReason).toMatch(/apt-get install festival festvox-us-slt-hts/);
    expect(() => engine.synthesize(request(SENTENCE), new AbortController().signal)).toThrow(
      expect.objectContaining({
        code: EngineErrorCode.Unavailable,
        message: expect.stringMatching(/could not be run \(ENOENT\)/),
      }),
    );
    // Voices are not refused as unknown while the engine is down: the caller gets the 503.
    expect(engine.supportsVoice({ rate: 1 })).toBe(true);
    await engine.close();
  });

  it('without the voice it boots unavailable, naming the voices it has', async () => {
    const engine = new FestivalEngine({ poolSize: 1, voice: 'no_such_voice' });
    await engine.init();
    expect(engine.health().modelLoaded).toBe(false);
    expect(engine.unavailableReason).toMatch(
      /no voice "no_such_voice" \(installed: .*cmu_us_slt_arctic_hts.*\).*festvox-us-slt-hts/,
    );
    expect(engine.workerPids()).toEqual([]);
    await engine.close();
  });
});
