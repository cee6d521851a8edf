import { Inject, Injectable } from '@nestjs/common';
import {
  applyGain,
  type AudioFormat,
  contentTypeFor,
  createResampler,
  type Resampler,
  silence,
  wavHeader,
} from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import {
  type ChainStep,
  EngineError,
  EngineErrorCode,
  EngineRegistry,
  type PcmChunk,
  toEspeakPhonemes,
  TTS_ENGINE,
  type TtsEngine,
  UnsupportedPhonemeError,
  type WordTiming,
} from '@cw/engines';
import {
  isBlank,
  Lexicon,
  looksLikeSsml,
  minimumSpeechMs,
  planSpeechDetailed,
  sayText,
  type SkippedReplacement,
  SsmlError,
  type SpeechPlanItem,
} from '@cw/text';
import { clamp } from '@cw/util';
import {
  type ScheduledStream,
  SpeechScheduler,
  type StreamKind,
} from '../scheduling/speech-scheduler';
import type { Tenant } from '../tenants/tenant.entity';
import { PronunciationService } from '../pronunciation/pronunciation.service';
import type { Voice } from '../voices/voice.entity';
import { VoicesService } from '../voices/voices.service';
import { AudioEncoders } from './audio-encoders';
import { PlanMemo, type PlannedText } from './plan-memo';
import type { SynthesizeDto } from './dto/synthesize.dto';
import { SynthesisErrorCode, SynthesisException } from './synthesis.exception';

/** The options of a request or session that are not its text; the same fields as the HTTP API. */
export interface SpeechOptions {
  voice_id?: string;
  language?: string;
  format?: AudioFormat;
  sample_rate?: number;
  speed?: number;
  /** Up to three, applied in order; absent: the tenant's default dictionaries; empty: none. */
  pronunciation_dictionary_ids?: string[];
  /** The built-in Nigerian lexicon after the dictionaries; absent: the tenant's setting. */
  nigerian_lexicon?: boolean;
}

/** The pronunciation rules a profile applies and the dictionary versions they came from. */
export interface ProfilePronunciations {
  readonly lexicon: Lexicon;
  readonly dictionaries: readonly { id: string; version: number }[];
}

/**
 * How a request or WebSocket session speaks: the voice (loaded once) and the output. Every
 * configuration mistake (unknown voice, a rate the format cannot carry) is found while resolving
 * it, before any text is looked at.
 */
export interface SpeechProfile {
  readonly tenant: Tenant;
  readonly voice: Voice;
  readonly language: string;
  readonly format: AudioFormat;
  readonly sampleRate: number;
  readonly speed: number;
  readonly pronunciations: ProfilePronunciations;
  /** The voice's own engine (the first of its chain when all are up). */
  readonly engineId: string;
  /** Engines tried in order for each piece, before its first audio. */
  readonly chain: readonly ChainStep[];
  /** The voice's engine takes phoneme spans (else they become aliases or are skipped). */
  readonly takesPhonemes: boolean;
}

/** One text planned against a profile; never changed once made. */
export interface SynthesisJob {
  readonly profile: SpeechProfile;
  readonly plan: readonly SpeechPlanItem[];
  readonly characters: number;
  /** Phoneme rules and `<phoneme>` elements that matched but the engine cannot say. */
  readonly skipped: readonly SkippedReplacement[];
}

export interface PlanOptions {
  ssml?: boolean;
  /** Silence after the text, planned in (the WebSocket's pause between sentences). */
  pauseAfterMs?: number;
}

export type SpeakItem = Extract<SpeechPlanItem, { type: 'speak' }>;

/** What rendering used, reported once it has finished. */
export interface RenderSummary {
  /** The engine that produced the first audio (differs from the configured one on fallback). */
  engineId?: string;
  /** Samples delivered at the profile's sample rate. */
  samplesOut: number;
}

/** A finished rendering, for routes that answer with the whole file. */
export interface CompleteSpeech extends RenderSummary {
  audio: Buffer;
  words: WordTiming[];
  /** The timings were estimated from the text and audio length (the engine gave none). */
  wordsEstimated?: boolean;
  durationMs: number;
}

/**
 * What `renderEvents` yields: encoded audio, timings relative to the job's first sample, the
 * engine as soon as it answers (before its first audio), and last a summary.
 */
export type RenderEvent =
  | { type: 'audio'; data: Buffer }
  | { type: 'words'; words: WordTiming[]; estimated?: boolean }
  | { type: 'mark'; name: string; atMs: number }
  | { type: 'engine'; engineId: string }
  | ({ type: 'end' } & RenderSummary);

/**
 * Pauses between pieces we split ourselves. eSpeak ends a whole text's sentences with ~0.4 s more
 * silence than it gives each sentence synthesized alone (measured by the bench), so without these
 * split sentences run together.
 */
const SENTENCE_GAP_MS = 350;
const CLAUSE_GAP_MS = 150;

export function gapAfter(piece: string): number {
  const end = piece.trimEnd().slice(-1);
  if ('.!?…'.includes(end)) return SENTENCE_GAP_MS;
  if (',;:—–'.includes(end)) return CLAUSE_GAP_MS;
  return 0;
}

const TELEPHONY_FORMATS: ReadonlySet<AudioFormat> = new Set(['mulaw', 'alaw']);

/** Dictionary phonemes are checked when saved; an SSML `<phoneme>` is checked here. */
function checkSsmlPhonemes(plan: readonly SpeechPlanItem[]): void {
  for (const item of plan) {
    if (item.type !== 'speak') continue;
    for (const { say, source } of item.pronunciations ?? []) {
      if (say.kind !== 'phoneme' || source.dictionaryId !== 'ssml') continue;
      try {
        toEspeakPhonemes(say.phoneme, say.alphabet);
      } catch (err) {
        if (!(err instanceof UnsupportedPhonemeError)) throw err;
        throw new SynthesisException(
          SynthesisErrorCode.InvalidSsml,
          `<phoneme ph>: ${err.message}`,
        );
      }
    }
  }
}

@Injectable()
export class SynthesisService {
  /** Most audio one job may produce (MAX_AUDIO_SECONDS_PER_REQUEST). */
  private readonly maxAudioMs: number;
  /** Lexicons compiled per resolved pronunciation set, by whether the engine takes phonemes. */
  private readonly lexicons = new WeakMap<object, Map<boolean, ProfilePronunciations>>();
  private readonly plans = new PlanMemo();

  constructor(
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
    @Inject(EngineRegistry) private readonly registry: EngineRegistry,
    private readonly voices: VoicesService,
    private readonly scheduler: SpeechScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly pronunciation: PronunciationService,
    private readonly encoders: AudioEncoders,
  ) {
    this.maxAudioMs = config.synthesis.maxAudioMs;
  }

  /** A live stream for a session whose voice and output may still change (WebSocket). */
  openSessionStream(tenantId: string): ScheduledStream {
    return this.scheduler.open({ tenantId, kind: 'live', costKey: 'session' });
  }

  /**
   * Admits a stream of pieces spoken with `profile`, or throws `engine_busy` when the engine is
   * already serving all it can keep up with. `live`: a listener plays it as it arrives (paced);
   * `whole`: the caller needs all of it at once. Close it when the stream ends.
   */
  openStream(profile: SpeechProfile, kind: StreamKind): ScheduledStream {
    return this.scheduler.open({
      tenantId: profile.tenant.tenantId,
      kind,
      costKey: `${profile.voice.voiceId}@${profile.sampleRate}`,
      // Admitted on the engine expected to answer: the first whose breaker lets calls through.
      lane: (profile.chain.find((s) => this.registry.available(s.engineId)) ?? profile.chain[0])
        ?.engineId,
    });
  }

  /** The default engine (TTS_ENGINE), named before a voice is known. */
  get engineId(): string {
    return this.registry.defaultId;
  }

  /** Profile and plan of one HTTP request; a blank text is refused before the voice is loaded. */
  async prepare(tenant: Tenant, dto: SynthesizeDto): Promise<SynthesisJob> {
    if (isBlank(dto.text))
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    const profile = await this.resolveProfile(tenant, dto);
    return this.plan(profile, dto.text, { ssml: dto.ssml ?? false });
  }

  /** Loads the voice and settles the output; finds every configuration mistake. */
  async resolveProfile(tenant: Tenant, options: SpeechOptions): Promise<SpeechProfile> {
    const format = options.format ?? 'wav';
    const voice = await this.voices.getVoice(tenant.id, options.voice_id ?? 'default');
    const binding = this.voices.bindingOf(voice);
    const chain = this.registry.chain(binding);
    const engineId = this.registry.primaryOf(binding);
    if (chain.length === 0) {
      throw new SynthesisException(
        SynthesisErrorCode.VoiceUnavailable,
        `Voice '${voice.voiceId}' cannot be rendered by the ${engineId} engine`,
      );
    }
    const engine = this.registry.get(engineId)?.engine ?? this.engine;
    const takesPhonemes = engine.capabilities.phonemes ?? false;
    const sampleRate = this.sampleRateFor(format, options.sample_rate, engine);
    return Object.freeze({
      tenant,
      voice,
      language: options.language ?? 'en',
      format,
      sampleRate,
      speed: options.speed ?? 1,
      engineId,
      chain: Object.freeze(chain),
      takesPhonemes,
      pronunciations: await this.pronunciationsFor(
        tenant,
        options.pronunciation_dictionary_ids,
        options.nigerian_lexicon,
        takesPhonemes,
      ),
    });
  }

  /**
   * The named dictionaries (or the tenant's defaults) and the built-in lexicon (unless switched
   * off here or for the tenant), compiled for this engine.
   */
  async pronunciationsFor(
    tenant: Tenant,
    dictionaryIds: readonly string[] | undefined,
    nigerianLexicon?: boolean,
    phonemes: boolean = this.takesPhonemes,
  ): Promise<ProfilePronunciations> {
    const resolved = await this.pronunciation.resolveForSynthesis(tenant, dictionaryIds, {
      nigerianLexicon,
      phonemes,
    });
    // Compiled once per resolved set (the same object while the tenant's dictionaries are
    // cached), so plans made with its lexicon can be reused.
    let compiled = this.lexicons.get(resolved);
    if (!compiled)
      this.lexicons.set(resolved, (compiled = new Map<boolean, ProfilePronunciations>()));
    let pronunciations = compiled.get(phonemes);
    if (!pronunciations) {
      pronunciations = Object.freeze({
        lexicon: new Lexicon(resolved.rules, { phonemes }),
        dictionaries: Object.freeze([...resolved.dictionaries]),
      });
      compiled.set(phonemes, pronunciations);
    }
    return pronunciations;
  }

  /**
   * The default engine says phoneme spans itself (a profile knows its own voice's engine);
   * otherwise they fall back to aliases or are skipped.
   */
  get takesPhonemes(): boolean {
    return this.engine.capabilities.phonemes ?? false;
  }

  /**
   * A new job for `text` spoken with `profile`; text with nothing to speak is empty_text, and text
   * that cannot take less than the audio limit to say is audio_too_long, before any synthesis.
   */
  plan(profile: SpeechProfile, text: string, options: PlanOptions = {}): SynthesisJob {
    if (isBlank(text))
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    const { plan: items, skipped } = this.planText(
      text,
      options.ssml ?? false,
      profile.language,
      profile.pronunciations.lexicon,
      profile.takesPhonemes,
    );
    if (!items.some((item) => item.type === 'speak')) {
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    }
    const pause = options.pauseAfterMs ?? 0;
    const plan = pause > 0 ? [...items, { type: 'break' as const, ms: pause }] : items;
    const atLeastMs = minimumSpeechMs(plan, profile.speed);
    if (atLeastMs > this.maxAudioMs) {
      throw this.tooLong(`This text would make at least ${Math.ceil(atLeastMs / 1000)} s of audio`);
    }
    return Object.freeze({
      profile,
      plan: Object.freeze(plan),
      characters: text.length,
      skipped: Object.freeze(skipped),
    });
  }

  private tooLong(what: string): SynthesisException {
    const maxS = this.maxAudioMs / 1000;
    return new SynthesisException(
      SynthesisErrorCode.AudioTooLong,
      `${what}, more than the ${maxS} s one request may produce (MAX_AUDIO_SECONDS_PER_REQUEST); split the text into several requests`,
      { max_audio_s: maxS },
    );
  }

  contentType(profile: SpeechProfile): string {
    return contentTypeFor(profile.format, profile.sampleRate);
  }

  /**
   * The engine's audio for one piece of speech, through the scheduler: the piece waits for its
   * deadline turn (and its stream's lead limit) before an engine worker renders it. Engines that
   * can are asked for the output rate, converted in their own threads.
   */
  async *renderPiece(
    profile: SpeechProfile,
    piece: SpeakItem,
    signal: AbortSignal,
    stream: ScheduledStream,
  ): AsyncGenerator<PcmChunk> {
    // Engines without phoneme input get aliases in the text; word timings then name the alias.
    const spoken = profile.takesPhonemes
      ? {
          text: piece.text,
          ...(piece.pronunciations?.length
            ? {
                pronunciations: piece.pronunciations.map(({ start, end, say }) => ({
                  start,
                  end,
                  say,
                })),
              }
            : {}),
        }
      : { text: sayText(piece, 'aliasOnly') };
    const request = {
      ...spoken,
      language: profile.language,
      speed: clamp(profile.speed * piece.prosody.rate, 0.25, 4),
      pitch: piece.prosody.pitch,
      sampleRate: profile.sampleRate,
    };
    // The chain: each engine in turn until one produces audio. An engine whose breaker is open
    // is skipped (the last one is always tried); once audio has started, a failure ends the
    // stream as before: switching voices mid-sentence would be worse.
    let lastError: Error | undefined;
    for (const [index, step] of profile.chain.entries()) {
      const last = index === profile.chain.length - 1;
      if (!last && !this.registry.available(step.engineId)) continue;
      let started = false;
      try {
        const chunks = stream.render(
          { ...request, voice: { id: profile.voice.voiceId, conditioning: step.conditioning } },
          signal,
          step.engineId,
        );
        for await (const chunk of chunks) {
          started = true;
          yield { ...chunk, engineId: chunk.engineId ?? step.engineId };
        }
        return;
      } catch (err) {
        if (started || signal.aborted || last || !canFailOver(err)) throw err;
        lastError = err as EngineError;
      }
    }
    throw (
      lastError ??
      new EngineError(EngineErrorCode.Unavailable, `No engine can speak ${profile.voice.voiceId}`)
    );
  }

  /**
   * Encoded audio, piece by piece, as the engine produces it. For `wav` the first chunk starts
   * with a streaming header (sizes 0xFFFFFFFF). The header travels with the first audio, so a
   * failure before any audio (unsupported language, engine busy) surfaces before the response
   * starts. Aborting `signal` stops the engine at once.
   */
  async *render(
    job: SynthesisJob,
    signal: AbortSignal,
    format: AudioFormat = job.profile.format,
  ): AsyncGenerator<Buffer> {
    for await (const event of this.renderEvents(job, signal, format)) {
      if (event.type === 'audio') yield event.data;
    }
  }

  /**
   * Like `render`, with word timings and SSML marks between the audio, their times in
   * milliseconds from the start of this job's audio (what a player has heard by then), and a
   * closing `end` event saying which engine spoke and how many samples went out. Per speak
   * piece: engine chunks (`renderPiece`) → the encoder's input rate → gain → encoder.
   */
  async *renderEvents(
    job: SynthesisJob,
    signal: AbortSignal,
    format: AudioFormat = job.profile.format,
    /** A stream the caller holds open across jobs (a WebSocket session), or the kind to open. */
    schedule: ScheduledStream | StreamKind = 'live',
  ): AsyncGenerator<RenderEvent> {
    const { profile } = job;
    // Engines render at the output rate where they can, so the encoder's resampler is then a
    // pass-through; MP3 is encoded in an encoder thread, the main thread only moves bytes.
    const inputRate = profile.sampleRate;
    const encoder = await this.encoders.create({
      format,
      inputSampleRate: inputRate,
      outputSampleRate: profile.sampleRate,
    });
    // An engine that cannot convert (or a fallback) answers at its native rate: bring its chunks
    // to `inputRate`.
    const converters = new Map<number, Resampler>();
    const toInputRate = async (samples: Int16Array, rate: number): Promise<Int16Array> => {
      if (rate === inputRate) return samples;
      let converter = converters.get(rate);
      if (!converter) converters.set(rate, (converter = await createResampler(rate, inputRate)));
      return converter.process(samples);
    };
    let stream: ScheduledStream;
    try {
      stream = typeof schedule === 'string' ? this.openStream(profile, schedule) : schedule;
    } catch (err) {
      encoder.close();
      throw err;
    }
    let pending: Buffer | undefined = encoder.header();
    /** Samples handed to the encoder so far, at `inputRate`: the clock for timings. */
    let clock = 0;
    // The estimate in `plan` is a lower bound; this stops a job whose audio runs longer.
    const maxSamples = Math.floor((this.maxAudioMs / 1000) * inputRate);
    let engineId: string | undefined;
    // Awaited one chunk at a time: a stream has at most one chunk with its encoder, and nothing
    // is encoded ahead of what the consumer pulls (a slow client holds the whole chain back).
    const encode = async (samples: Int16Array): Promise<RenderEvent | undefined> => {
      if (clock + samples.length > maxSamples) {
        throw this.tooLong('The audio for this text reached the limit');
      }
      clock += samples.length;
      let out = await encoder.encode(samples);
      // Until the first audio bytes exist, keep the header back (see above).
      if (out.length === 0) return undefined;
      if (pending) {
        out = Buffer.concat([pending, out]);
        pending = undefined;
      }
      return { type: 'audio', data: out };
    };
    /** Silence we add counts on the stream's playback clock like engine audio. */
    const pause = (ms: number): Promise<RenderEvent | undefined> => {
      stream.advance(ms);
      return encode(silence(ms, inputRate));
    };
    const nowMs = () => (clock * 1000) / inputRate;
    try {
      for (const [index, item] of job.plan.entries()) {
        signal.throwIfAborted();
        if (item.type === 'break') {
          const out = await pause(item.ms);
          if (out) yield out;
        } else if (item.type === 'mark') {
          yield { type: 'mark', name: item.name, atMs: Math.round(nowMs()) };
        } else {
          const pieceStartMs = nowMs();
          const gain = (samples: Int16Array) =>
            item.prosody.volume === 1 ? samples : applyGain(samples, item.prosody.volume);
          let pieceWords = false;
          for await (const chunk of this.renderPiece(profile, item, signal, stream)) {
            if (engineId === undefined) {
              engineId = chunk.engineId ?? profile.engineId;
              yield { type: 'engine', engineId };
            }
            if (chunk.words?.length) {
              pieceWords = true;
              yield {
                type: 'words',
                words: chunk.words.map((w) => ({
                  word: w.word,
                  startMs: Math.round(pieceStartMs + w.startMs),
                  endMs: Math.round(pieceStartMs + w.endMs),
                })),
              };
            }
            const out = await encode(gain(await toInputRate(chunk.samples, chunk.sampleRate)));
            if (out) yield out;
          }
          // Drain what the rate converters still hold for this piece, before its pause.
          for (const [rate, converter] of converters) {
            converters.delete(rate);
            const out = await encode(gain(converter.flush()));
            if (out) yield out;
          }
          // An engine that reports no timings: spread the piece's audio over its words.
          if (!pieceWords) {
            const words = estimateWordTimings(item.text, pieceStartMs, nowMs());
            if (words.length) yield { type: 'words', words, estimated: true };
          }
          const next = job.plan[index + 1];
          if (next?.type === 'speak') {
            const gap = gapAfter(item.text);
            if (gap > 0) {
              const out = await pause(gap);
              if (out) yield out;
            }
          }
        }
      }
      let tail = await encoder.flush();
      if (pending) tail = Buffer.concat([pending, tail]);
      if (tail.length) yield { type: 'audio', data: tail };
      yield { type: 'end', engineId, samplesOut: encoder.samplesOut };
    } finally {
      if (stream !== schedule) stream.close();
      encoder.close();
      for (const converter of converters.values()) converter.close();
    }
  }

  /** The whole file (WAV with its real sizes), its word timings and its duration. */
  async renderComplete(job: SynthesisJob, signal: AbortSignal): Promise<CompleteSpeech> {
    const { profile } = job;
    // WAV is rendered as PCM and given a header with the real sizes at the end.
    const format = profile.format === 'wav' ? 'pcm' : profile.format;
    const parts: Buffer[] = [];
    const words: WordTiming[] = [];
    let wordsEstimated = false;
    let summary: RenderSummary = { samplesOut: 0 };
    for await (const event of this.renderEvents(job, signal, format, 'whole')) {
      if (event.type === 'audio') parts.push(event.data);
      else if (event.type === 'words') {
        words.push(...event.words);
        wordsEstimated ||= event.estimated === true;
      } else if (event.type === 'end')
        summary = { engineId: event.engineId, samplesOut: event.samplesOut };
    }
    // One copy of the audio, the header written in front of it rather than concatenated after.
    const dataBytes = parts.reduce((sum, part) => sum + part.length, 0);
    const header =
      profile.format === 'wav'
        ? [wavHeader({ sampleRate: profile.sampleRate, channels: 1, bitsPerSample: 16, dataBytes })]
        : [];
    const audio = Buffer.concat([...header, ...parts]);
    parts.length = 0;
    return {
      ...summary,
      audio,
      words,
      ...(wordsEstimated ? { wordsEstimated } : {}),
      durationMs: Math.round((summary.samplesOut * 1000) / profile.sampleRate),
    };
  }

  /**
   * Text or SSML → speakable pieces, with the dictionaries' rules applied; SSML errors (and
   * `<phoneme>` symbols the engine cannot say) become 400 invalid_ssml.
   */
  planText(
    text: string,
    ssml: boolean,
    language: string,
    lexicon?: Lexicon,
    phonemes: boolean = this.takesPhonemes,
  ): PlannedText {
    // `ssml: true` with a fragment (`Hi <break time="1s"/> there`) gets the root it lacks.
    const source = ssml && !looksLikeSsml(text) ? `<speak>${text}</speak>` : text;
    try {
      return this.plans.plan({ text: source, ssml, language, lexicon, phonemes }, () => {
        const planned = planSpeechDetailed({ text: source, ssml, language, lexicon, phonemes });
        checkSsmlPhonemes(planned.plan);
        return planned;
      });
    } catch (err) {
      if (err instanceof SsmlError) {
        throw new SynthesisException(SynthesisErrorCode.InvalidSsml, err.message, {
          line: err.line,
          column: err.column,
        });
      }
      throw err;
    }
  }

  private sampleRateFor(
    format: AudioFormat,
    requested: number | undefined,
    engine: TtsEngine,
  ): number {
    if (TELEPHONY_FORMATS.has(format)) {
      if (requested !== undefined && requested !== 8000) {
        throw new SynthesisException(
          SynthesisErrorCode.UnsupportedSampleRate,
          `format ${format} is G.711 telephony audio and supports sample_rate 8000 only (got ${requested})`,
        );
      }
      return 8000;
    }
    return requested ?? engine.capabilities.nativeSampleRate;
  }
}

/** Failures before any audio that another engine may answer instead of. */
function canFailOver(err: unknown): boolean {
  return (
    err instanceof EngineError &&
    (err.code === EngineErrorCode.Unavailable || err.code === EngineErrorCode.Busy)
  );
}

/**
 * Word timings for an engine that gives none: the piece's audio from `startMs` to `endMs` shared
 * among its words in proportion to their letters (a word of 8 letters takes about twice as long
 * as one of 4). An estimate, marked as one wherever it is reported.
 */
export function estimateWordTimings(text: string, startMs: number, endMs: number): WordTiming[] {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0 || endMs <= startMs) return [];
  const weights = words.map((w) => w.replace(/[^\p{L}\p{N}]/gu, '').length + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const span = endMs - startMs;
  const out: WordTiming[] = [];
  let at = startMs;
  for (const [i, word] of words.entries()) {
    const next = at + (span * weights[i]) / total;
    out.push({
      word: word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''),
      startMs: Math.round(at),
      endMs: Math.round(next),
    });
    at = next;
  }
  return out;
}
