import { Inject, Injectable } from '@nestjs/common';
import {
  applyGain,
  type AudioFormat,
  contentTypeFor,
  createAudioEncoder,
  createResampler,
  type Resampler,
  silence,
  wavHeader,
} from '@cw/audio';
import { FallbackEngine, TTS_ENGINE, type TtsEngine, type WordTiming } from '@cw/engines';
import { isBlank, looksLikeSsml, planSpeech, SsmlError, type SpeechPlanItem } from '@cw/text';
import {
  type ScheduledStream,
  SpeechScheduler,
  type StreamKind,
} from '../scheduling/speech-scheduler';
import type { Tenant } from '../tenants/tenant.entity';
import type { Voice } from '../voices/voice.entity';
import { VoicesService } from '../voices/voices.service';
import type { SynthesizeDto } from './dto/synthesize.dto';
import { SynthesisErrorCode, SynthesisException } from './synthesis.exception';

/** Everything decided before any audio is produced; all caller mistakes are found by then. */
export interface SynthesisJob {
  tenant: Tenant;
  voice: Voice;
  plan: SpeechPlanItem[];
  language: string;
  format: AudioFormat;
  sampleRate: number;
  speed: number;
  characters: number;
  /** Samples delivered at `sampleRate`, known once rendering has finished. */
  samplesOut?: number;
  /** The engine that produced the first audio (differs from the configured one on fallback). */
  engineUsed?: string;
}

/** A finished rendering, for routes that answer with the whole file. */
export interface CompleteSpeech {
  audio: Buffer;
  words: WordTiming[];
  durationMs: number;
}

/** What `renderEvents` yields: encoded audio, and timings relative to the job's first sample. */
export type RenderEvent =
  | { type: 'audio'; data: Buffer }
  | { type: 'words'; words: WordTiming[] }
  | { type: 'mark'; name: string; atMs: number };

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

@Injectable()
export class SynthesisService {
  constructor(
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
    private readonly voices: VoicesService,
    private readonly scheduler: SpeechScheduler,
  ) {}

  /**
   * Admits a stream of pieces for this job's tenant, voice and rate, or throws `engine_busy` when
   * the engine is already serving all it can keep up with. Close it when the stream ends.
   */
  openStream(job: SynthesisJob, kind: StreamKind): ScheduledStream {
    return this.scheduler.open({
      tenantId: job.tenant.tenantId,
      kind,
      costKey: `${job.voice.voiceId}@${job.sampleRate}`,
    });
  }

  get engineId(): string {
    return this.engine.id;
  }

  async prepare(tenant: Tenant, dto: SynthesizeDto): Promise<SynthesisJob> {
    if (isBlank(dto.text))
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    const format = dto.format ?? 'wav';
    const sampleRate = this.sampleRateFor(format, dto.sample_rate);
    const voice = await this.voices.getVoice(tenant.id, dto.voice_id ?? 'default');
    if (!this.engine.supportsVoice(this.conditioningOf(voice))) {
      throw new SynthesisException(
        SynthesisErrorCode.VoiceUnavailable,
        `Voice '${voice.voiceId}' cannot be rendered by the ${this.engine.id} engine`,
      );
    }
    const language = dto.language ?? 'en';
    const plan = this.planText(dto.text, dto.ssml ?? false, language);
    if (!plan.some((item) => item.type === 'speak')) {
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    }
    return {
      tenant,
      voice,
      plan,
      language,
      format,
      sampleRate,
      speed: dto.speed ?? 1,
      characters: dto.text.length,
    };
  }

  contentType(job: SynthesisJob): string {
    return contentTypeFor(job.format, job.sampleRate);
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
    format: AudioFormat = job.format,
  ): AsyncGenerator<Buffer> {
    for await (const event of this.renderEvents(job, signal, format)) {
      if (event.type === 'audio') yield event.data;
    }
  }

  /**
   * Like `render`, with word timings and SSML marks between the audio, their times in
   * milliseconds from the start of this job's audio (what a player has heard by then).
   */
  async *renderEvents(
    job: SynthesisJob,
    signal: AbortSignal,
    format: AudioFormat = job.format,
    /** A stream the caller holds open across jobs (a WebSocket session), or the kind to open. */
    schedule: ScheduledStream | StreamKind = 'live',
  ): AsyncGenerator<RenderEvent> {
    // Engines that can are asked for audio at the output rate, converted in their own threads;
    // the encoder's resampler is then a pass-through.
    const inputRate = job.sampleRate;
    const encoder = await createAudioEncoder({
      format,
      inputSampleRate: inputRate,
      outputSampleRate: job.sampleRate,
    });
    // An engine that cannot convert (or a fallback) answers at its native rate; bring its chunks to
    // `inputRate`.
    const converters = new Map<number, Resampler>();
    const toInputRate = async (samples: Int16Array, rate: number): Promise<Int16Array> => {
      if (rate === inputRate) return samples;
      let converter = converters.get(rate);
      if (!converter) converters.set(rate, (converter = await createResampler(rate, inputRate)));
      return converter.process(samples);
    };
    // Every piece reaches the engine through the scheduler, in deadline order.
    let stream: ScheduledStream;
    try {
      stream = typeof schedule === 'string' ? this.openStream(job, schedule) : schedule;
    } catch (err) {
      encoder.close();
      throw err;
    }
    let pending: Buffer | undefined = encoder.header();
    /** Samples handed to the encoder so far, at `inputRate`: the clock for timings. */
    let clock = 0;
    const pause = (ms: number): RenderEvent | undefined => {
      stream.advance(ms);
      return encode(silence(ms, inputRate));
    };
    const encode = (samples: Int16Array): RenderEvent | undefined => {
      clock += samples.length;
      let out = encoder.encode(samples);
      // Until the first audio bytes exist, keep the header back (see above).
      if (out.length === 0) return undefined;
      if (pending) {
        out = Buffer.concat([pending, out]);
        pending = undefined;
      }
      return { type: 'audio', data: out };
    };
    const nowMs = () => (clock * 1000) / inputRate;
    try {
      for (const [index, item] of job.plan.entries()) {
        signal.throwIfAborted();
        if (item.type === 'break') {
          const out = pause(item.ms);
          if (out) yield out;
        } else if (item.type === 'mark') {
          yield { type: 'mark', name: item.name, atMs: Math.round(nowMs()) };
        } else {
          const pieceStartMs = nowMs();
          const chunks = stream.render(
            {
              text: item.text,
              language: job.language,
              voice: { id: job.voice.voiceId, conditioning: this.conditioningOf(job.voice) },
              speed: clamp(job.speed * item.prosody.rate, 0.25, 4),
              pitch: item.prosody.pitch,
              sampleRate: inputRate,
            },
            signal,
          );
          for await (const chunk of chunks) {
            job.engineUsed ??= chunk.engineId ?? this.engine.id;
            if (chunk.words?.length) {
              yield {
                type: 'words',
                words: chunk.words.map((w) => ({
                  word: w.word,
                  startMs: Math.round(pieceStartMs + w.startMs),
                  endMs: Math.round(pieceStartMs + w.endMs),
                })),
              };
            }
            const samples = await toInputRate(chunk.samples, chunk.sampleRate);
            const out = encode(
              item.prosody.volume === 1 ? samples : applyGain(samples, item.prosody.volume),
            );
            if (out) yield out;
          }
          // Drain what the rate converters still hold for this piece, before its pause.
          for (const [rate, converter] of converters) {
            converters.delete(rate);
            const rest = converter.flush();
            const out = encode(
              item.prosody.volume === 1 ? rest : applyGain(rest, item.prosody.volume),
            );
            if (out) yield out;
          }
          const next = job.plan[index + 1];
          if (next?.type === 'speak') {
            const gap = gapAfter(item.text);
            if (gap > 0) {
              const out = pause(gap);
              if (out) yield out;
            }
          }
        }
      }
      let tail = encoder.flush();
      if (pending) tail = Buffer.concat([pending, tail]);
      if (tail.length) yield { type: 'audio', data: tail };
      job.samplesOut = encoder.samplesOut;
    } finally {
      if (stream !== schedule) stream.close();
      encoder.close();
      for (const converter of converters.values()) converter.close();
    }
  }

  /** The whole file (WAV with its real sizes), its word timings and its duration. */
  async renderComplete(job: SynthesisJob, signal: AbortSignal): Promise<CompleteSpeech> {
    // WAV is rendered as PCM and given a header with the real sizes at the end.
    const format = job.format === 'wav' ? 'pcm' : job.format;
    const parts: Buffer[] = [];
    const words: WordTiming[] = [];
    for await (const event of this.renderEvents(job, signal, format, 'whole')) {
      if (event.type === 'audio') parts.push(event.data);
      else if (event.type === 'words') words.push(...event.words);
    }
    const body = Buffer.concat(parts);
    const audio =
      job.format === 'wav'
        ? Buffer.concat([
            wavHeader({
              sampleRate: job.sampleRate,
              channels: 1,
              bitsPerSample: 16,
              dataBytes: body.length,
            }),
            body,
          ])
        : body;
    return {
      audio,
      words,
      durationMs: Math.round(((job.samplesOut ?? 0) * 1000) / job.sampleRate),
    };
  }

  /** Text or SSML → speakable pieces; SSML errors become 400 invalid_ssml with the position. */
  planText(text: string, ssml: boolean, language: string): SpeechPlanItem[] {
    // `ssml: true` with a fragment (`Hi <break time="1s"/> there`) gets the root it lacks.
    const source = ssml && !looksLikeSsml(text) ? `<speak>${text}</speak>` : text;
    try {
      return planSpeech({ text: source, ssml, language });
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

  /**
   * A voice row keeps one conditioning per engine id; an engine gets its own part, and a
   * fallback wrapper the whole map (it hands each of its engines their part).
   */
  private conditioningOf(voice: Voice): Record<string, unknown> {
    if (this.engine instanceof FallbackEngine) return voice.conditioning;
    const own = voice.conditioning[this.engine.id];
    return typeof own === 'object' && own !== null ? (own as Record<string, unknown>) : {};
  }

  private sampleRateFor(format: AudioFormat, requested: number | undefined): number {
    if (TELEPHONY_FORMATS.has(format)) {
      if (requested !== undefined && requested !== 8000) {
        throw new SynthesisException(
          SynthesisErrorCode.UnsupportedSampleRate,
          `format ${format} is G.711 telephony audio and supports sample_rate 8000 only (got ${requested})`,
        );
      }
      return 8000;
    }
    return requested ?? this.engine.capabilities.nativeSampleRate;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
