import { EngineError, EngineErrorCode } from '@cw/engines';
import type { SynthesizeDto } from './dto/synthesize.dto';
import {
  ctx,
  FakeEngine,
  FakeMeters,
  fakeVoices,
  noPronunciations,
  phraseCache,
  synthesisWith,
} from './__tests__/fakes';
import type { RenderEvent } from './synthesis.service';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { type DeliveryOutcome, SynthesisRunner } from './synthesis-runner';

const dto = (extra: Partial<SynthesizeDto> = {}): SynthesizeDto => ({
  text: 'Hello there. How are you?',
  format: 'pcm',
  ...extra,
});

async function drain(audio: AsyncIterator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let next = await audio.next(); !next.done; next = await audio.next()) parts.push(next.value);
  return Buffer.concat(parts);
}

describe('SynthesisRunner', () => {
  let engine: FakeEngine;
  let meters: FakeMeters;
  let runner: SynthesisRunner;
  let shutdown: ShutdownService;
  const signal = () => new AbortController().signal;

  beforeEach(() => {
    engine = new FakeEngine();
    meters = new FakeMeters();
    shutdown = new ShutdownService();
    runner = new SynthesisRunner(
      synthesisWith(engine),
      meters.asService(),
      shutdown,
      phraseCache({ PHRASE_CACHE_MAX_BYTES: '0' }),
    );
  });

  describe('while the process drains', () => {
    it('refuses new syntheses with shutting_down (503, Retry-After): no slot, no usage row', async () => {
      shutdown.beginDrain();
      await expect(
        runner.whole(ctx, dto(), 'synthesize', signal(), async () => 1),
      ).rejects.toMatchObject({
        code: 'shutting_down',
        status: 503,
        options: { headers: { 'Retry-After': '5' } },
      });
      expect(meters.started).toHaveLength(0);
      expect(meters.finished).toHaveLength(0);
    });

    it('counts a run in flight until its usage row is written', async () => {
      const run = await runner.admit(ctx, { endpoint: 'synthesize/ws', streaming: true });
      expect(shutdown.active).toBe(1);
      const idle = shutdown.drain(60_000);
      run.finish('completed');
      await expect(idle).resolves.toEqual({ drained: true, left: 0 });
      expect(meters.finished).toHaveLength(1);
    });

    it('a drain that outlasts its deadline reports what is left', async () => {
      await runner.admit(ctx, { endpoint: 'synthesize/ws', streaming: true });
      await expect(shutdown.drain(10)).resolves.toEqual({ drained: false, left: 1 });
    });
  });

  it('refuses caller mistakes before admission: no slot, no usage row', async () => {
    await expect(
      runner.whole(ctx, dto({ text: '  ' }), 'synthesize', signal(), async () => 1),
    ).rejects.toMatchObject({ code: 'empty_text' });
    await expect(
      runner.whole(ctx, dto({ voice_id: 'missing' }), 'synthesize', signal(), async () => 1),
    ).rejects.toMatchObject({ code: 'voice_not_found' });
    await expect(
      runner.whole(ctx, dto({ format: 'mulaw', sample_rate: 16000 }), 'x', signal(), async () => 1),
    ).rejects.toMatchObject({ code: 'unsupported_sample_rate' });
    expect(meters.started).toHaveLength(0);
    expect(engine.requests).toHaveLength(0);
  });

  it('whole: renders, delivers while the slot is held, then records one completed row', async () => {
    let releasedDuringDelivery = -1;
    const body = await runner.whole(ctx, dto(), 'synthesize', signal(), async (speech) => {
      releasedDuringDelivery = meters.released;
      expect(speech.contentType).toBe('audio/L16;rate=16000');
      expect(speech.engineId).toBe('fake');
      expect(speech.profile.voice.voiceId).toBe('default');
      return speech.audio.length;
    });
    expect(releasedDuringDelivery).toBe(0);
    expect(meters.started[0]).toMatchObject({
      tenant: ctx.tenant,
      apiKeyId: 'key-1',
      requestId: 'req-1',
      endpoint: 'synthesize',
      streaming: false,
      characters: dto().text.length,
    });
    expect(meters.released).toBe(1);
    expect(meters.finished).toHaveLength(1);
    const [row] = meters.finished;
    expect(row).toMatchObject({ status: 'completed', errorCode: null });
    expect(row.reading).toMatchObject({
      voiceId: 'default',
      engine: 'fake',
      format: 'pcm',
      bytes: body,
      characters: dto().text.length,
    });
    // Two pieces of 2 × 1600 samples at 16 kHz, and the 350 ms pause between them.
    expect(row.reading.audioMs).toBe(200 + 350 + 200);
  });

  it('whole: a failed delivery is a failed row with the mapped code, and the error reaches the caller', async () => {
    const failure = new EngineError(EngineErrorCode.Failed, 'disk full');
    await expect(
      runner.whole(ctx, dto(), 'synthesize-url', signal(), () => Promise.reject(failure)),
    ).rejects.toBe(failure);
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'failed', errorCode: 'synthesis_failed' }),
    ]);
    expect(meters.finished[0].reading.bytes).toBe(0);
    expect(meters.released).toBe(1);
  });

  it('whole: a client that left makes the row cancelled', async () => {
    const abort = new AbortController();
    abort.abort(new Error('client disconnected'));
    await expect(
      runner.whole(ctx, dto(), 'synthesize', abort.signal, async () => 1),
    ).rejects.toBeDefined();
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'cancelled', errorCode: null }),
    ]);
  });

  it('stream: audio is counted as it is pulled; the label names the engine that really spoke', async () => {
    engine.script = () => ({ engineId: 'backup' });
    let engineBeforeAudio = '';
    let engineAfterAudio = '';
    let bytes = 0;
    await runner.stream(ctx, dto(), 'audio/speech', signal(), async (audio, spoken) => {
      engineBeforeAudio = spoken().engineId;
      const first = await audio.next();
      engineAfterAudio = spoken().engineId;
      bytes = (first.value as Buffer).length + (await drain(audio)).length;
      return { status: 'completed' };
    });
    expect(engineBeforeAudio).toBe('fake');
    expect(engineAfterAudio).toBe('backup');
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'completed', errorCode: null }),
    ]);
    expect(meters.finished[0].reading).toMatchObject({ engine: 'backup', bytes });
    expect(meters.started[0]).toMatchObject({ endpoint: 'audio/speech', streaming: true });
  });

  it('stream: a failure the transport reports after headers is recorded with its code', async () => {
    const outcome: DeliveryOutcome = {
      status: 'failed',
      error: new EngineError(EngineErrorCode.Busy, 'busy', 1),
    };
    await runner.stream(ctx, dto(), 'synthesize/streaming', signal(), async (audio) => {
      await audio.next();
      return outcome;
    });
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'failed', errorCode: 'engine_busy' }),
    ]);
  });

  it('stream: an engine failure before any audio rejects and records one failed row', async () => {
    engine.script = () => ({ error: new EngineError(EngineErrorCode.Unavailable, 'down') });
    await expect(
      runner.stream(ctx, dto(), 'synthesize/streaming', signal(), async (audio) => {
        await audio.next();
        return { status: 'completed' };
      }),
    ).rejects.toMatchObject({ code: 'engine_unavailable' });
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'failed', errorCode: 'engine_unavailable' }),
    ]);
  });

  it('a run admitted before its text (WebSocket) counts each piece and records the engine that spoke', async () => {
    const synthesis = synthesisWith(engine, fakeVoices());
    runner = new SynthesisRunner(
      synthesis,
      meters.asService(),
      new ShutdownService(),
      phraseCache({ PHRASE_CACHE_MAX_BYTES: '0' }),
    );
    const run = await runner.admit(ctx, { endpoint: 'synthesize/ws', streaming: true });
    expect(meters.started[0].characters).toBe(0);
    const profile = await synthesis.resolveProfile(ctx.tenant, { format: 'pcm' });
    run.use(profile);
    const events: RenderEvent[] = [];
    for (const text of ['One.', 'Two!']) {
      const job = synthesis.plan(profile, text, { pauseAfterMs: 100 });
      for await (const event of run.speak(job, signal(), 'pcm')) events.push(event);
    }
    run.finishWithCode('completed', null);
    expect(events.filter((e) => e.type === 'engine')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'end')).toEqual([
      { type: 'end', engineId: 'fake', samplesOut: 3200 + 1600 },
      { type: 'end', engineId: 'fake', samplesOut: 3200 + 1600 },
    ]);
    expect(meters.finished[0].reading).toMatchObject({ characters: 8, engine: 'fake' });
  });
});

describe('SynthesisService profile and plan', () => {
  it('loads the voice once per profile; plans are new, frozen jobs with the pause planned in', async () => {
    const engine = new FakeEngine();
    const voices = fakeVoices();
    const synthesis = synthesisWith(engine, voices);
    const profile = await synthesis.resolveProfile(ctx.tenant, { voice_id: 'naija_male' });
    const first = synthesis.plan(profile, 'Good morning.', { pauseAfterMs: 350 });
    const second = synthesis.plan(profile, 'Goodbye.');
    expect(voices.lookups).toEqual(['naija_male']);
    expect(first.plan[first.plan.length - 1]).toEqual({ type: 'break', ms: 350 });
    expect(second.plan.some((item) => item.type === 'break')).toBe(false);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.plan)).toBe(true);
    expect(profile).toMatchObject({ format: 'wav', sampleRate: 16000, language: 'en', speed: 1 });
    expect(() => synthesis.plan(profile, ' ')).toThrow(
      expect.objectContaining({ code: 'empty_text' }),
    );
  });

  it('gives an engine without phonemes the alias of a phoneme rule, and skips (and counts) one without', async () => {
    const engine = new FakeEngine();
    const source = { dictionaryId: 'pd_test', version: 1, ruleIndex: 0 };
    const synthesis = synthesisWith(
      engine,
      fakeVoices(),
      {},
      noPronunciations([
        {
          type: 'phoneme',
          stringToReplace: 'Ikeja',
          phoneme: 'ikɛdʒa',
          alphabet: 'ipa',
          alias: 'Ee-keh-jah',
          source,
        },
        { type: 'phoneme', stringToReplace: 'Ojo', phoneme: 'ɔdʒɔ', alphabet: 'ipa', source },
      ]),
    );
    const profile = await synthesis.resolveProfile(ctx.tenant, { format: 'pcm' });
    const job = synthesis.plan(
      profile,
      '<speak>Ikeja and Ojo, <phoneme ph="lɛki">Lekki</phoneme>.</speak>',
      { ssml: true },
    );
    expect(job.skipped.map((s) => s.original).sort()).toEqual(['Lekki', 'Ojo']);
    for await (const event of synthesis.renderEvents(job, new AbortController().signal)) {
      void event;
    }
    expect(engine.requests.map((r) => [r.text, r.pronunciations])).toEqual([
      ['Ee-keh-jah and Ojo, Lekki.', undefined],
    ]);
  });

  it('renderEvents reports the engine before its audio and a summary last, and leaves the job alone', async () => {
    const engine = new FakeEngine();
    engine.script = () => ({ chunks: 1, engineId: 'backup' });
    const synthesis = synthesisWith(engine);
    const profile = await synthesis.resolveProfile(ctx.tenant, { format: 'pcm' });
    const job = synthesis.plan(profile, 'Hi.');
    const types: string[] = [];
    let end: RenderEvent | undefined;
    for await (const event of synthesis.renderEvents(job, new AbortController().signal)) {
      types.push(event.type);
      if (event.type === 'end') end = event;
    }
    expect(types).toEqual(['engine', 'words', 'audio', 'end']);
    expect(end).toEqual({ type: 'end', engineId: 'backup', samplesOut: 1600 });
    expect(engine.requests).toEqual([
      expect.objectContaining({
        text: 'Hi.',
        language: 'en',
        speed: 1,
        voice: { id: 'default', conditioning: {} },
      }),
    ]);
    expect(Object.keys(job).sort()).toEqual(['characters', 'plan', 'profile', 'skipped']);
  });
});

describe('SynthesisRunner: the audio limit per request', () => {
  const signal = () => new AbortController().signal;
  let engine: FakeEngine;
  let meters: FakeMeters;
  let runner: SynthesisRunner;

  beforeEach(() => {
    engine = new FakeEngine();
    meters = new FakeMeters();
    const synthesis = synthesisWith(engine, fakeVoices(), { MAX_AUDIO_SECONDS_PER_REQUEST: '2' });
    runner = new SynthesisRunner(
      synthesis,
      meters.asService(),
      new ShutdownService(),
      phraseCache({ PHRASE_CACHE_MAX_BYTES: '0' }),
    );
  });

  it('refuses text that cannot be said within the limit before admission or synthesis', async () => {
    // 5,000 digits are read as words: far more than 2 s however fast.
    const error = await runner
      .whole(ctx, dto({ text: '7'.repeat(5000) }), 'synthesize', signal(), async () => 1)
      .then(
        () => new Error('expected a refusal'),
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'audio_too_long', status: 400 });
    expect((error as Error).message).toMatch(/2 s .*MAX_AUDIO_SECONDS_PER_REQUEST/);
    expect(meters.started).toHaveLength(0);
    expect(engine.requests).toHaveLength(0);
  });

  it('stops a stream at the limit when the engine speaks longer than the text suggests', async () => {
    // Each piece: 20 chunks of 0.1 s at 16 kHz, 2 s a piece; two pieces would be 4 s.
    engine.script = () => ({ chunks: 20, samples: 1600 });
    let sent = 0;
    let outcome: DeliveryOutcome | undefined;
    await runner
      .stream(ctx, dto(), 'synthesize/streaming', signal(), async (audio) => {
        try {
          for (let next = await audio.next(); !next.done; next = await audio.next()) {
            sent += next.value.length;
          }
          outcome = { status: 'completed' };
        } catch (error) {
          outcome = { status: 'failed', error };
        }
        return outcome;
      })
      .catch(() => undefined);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'audio_too_long' } });
    // Never more than 2 s of 16-bit audio at 16 kHz went out.
    expect(sent).toBeLessThanOrEqual(2 * 16000 * 2);
    expect(sent).toBeGreaterThan(0);
    expect(meters.finished[0]).toMatchObject({ status: 'failed', errorCode: 'audio_too_long' });
  });
});

describe('SynthesisRunner: the phrase cache', () => {
  let engine: FakeEngine;
  let meters: FakeMeters;
  let runner: SynthesisRunner;
  const signal = () => new AbortController().signal;

  beforeEach(() => {
    engine = new FakeEngine();
    meters = new FakeMeters();
    runner = new SynthesisRunner(
      synthesisWith(engine),
      meters.asService(),
      new ShutdownService(),
      phraseCache(),
    );
  });

  /** Streams `request` to the end; what the transport saw. */
  async function stream(request: SynthesizeDto, context = ctx) {
    let audio: Buffer = Buffer.alloc(0);
    let cache: string | undefined;
    await runner.stream(
      context,
      request,
      'synthesize/streaming',
      signal(),
      async (chunks, spoken) => {
        audio = await drain(chunks);
        cache = spoken().cache;
        return { status: 'completed' };
      },
    );
    return { audio, cache };
  }

  it('answers an identical request from the cache: same bytes, no engine, metered as cached', async () => {
    const first = await stream(dto());
    const rendered = engine.requests.length;
    const second = await stream(dto());
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.audio.equals(first.audio)).toBe(true);
    expect(engine.requests).toHaveLength(rendered);
    expect(meters.finished.map((f) => f.reading.cached)).toEqual([false, true]);
    expect(meters.finished[1].reading).toMatchObject({
      bytes: first.audio.length,
      engine: 'fake',
    });
  });

  it('never serves one tenant another tenant’s audio, even for identical text', async () => {
    await stream(dto());
    const other = { ...ctx, tenant: { ...ctx.tenant, id: 'other-uuid', tenantId: 'other' } };
    expect((await stream(dto(), other)).cache).toBe('miss');
  });

  it('a different text, voice or format misses; cache: false neither reads nor writes', async () => {
    await stream(dto());
    expect((await stream(dto({ text: 'Something else entirely.' }))).cache).toBe('miss');
    expect((await stream(dto({ format: 'mulaw', sample_rate: 8000 }))).cache).toBe('miss');
    const optedOut = await stream(dto({ text: 'Fresh words.', cache: false }));
    expect(optedOut.cache).toBeUndefined();
    expect((await stream(dto({ text: 'Fresh words.' }))).cache).toBe('miss');
  });

  it('keeps neither a stream the client left nor audio a fallback engine made', async () => {
    await runner.stream(ctx, dto(), 'synthesize/streaming', signal(), async (chunks) => {
      await chunks.next();
      return { status: 'cancelled' };
    });
    expect((await stream(dto())).cache).toBe('miss');

    engine.script = () => ({ engineId: 'backup' });
    const request = dto({ text: 'Spoken by the backup.' });
    await stream(request);
    engine.script = () => ({});
    expect((await stream(request)).cache).toBe('miss');
  });

  it('whole files keep their word timings', async () => {
    const whole = () =>
      runner.whole(ctx, dto(), 'synthesize/with-timestamps', signal(), async (speech) => speech);
    const first = await whole();
    const second = await whole();
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.audio.equals(first.audio)).toBe(true);
    expect(second.words).toEqual(first.words);
    expect(second.durationMs).toBe(first.durationMs);
  });
});
