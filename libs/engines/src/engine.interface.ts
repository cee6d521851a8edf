/**
 * The contract every speech engine implements. Knows nothing of tenants, HTTP or the database:
 * callers hand it plain, already-normalized text for one piece of speech and a voice description.
 */

/** Engine-specific description of a voice (an eSpeak preset, XTTS latents, ...). */
export type VoiceConditioning = Record<string, unknown>;

export interface EngineVoice {
  /** Public voice id, for logs and errors only. */
  id: string;
  conditioning: VoiceConditioning;
}

/** A span of a request's text said differently: by an alias, or by phonemes. */
export interface SpokenSpan {
  /** UTF-16 offsets into `text`, end exclusive; spans are in order and do not overlap. */
  start: number;
  end: number;
  say:
    | { kind: 'alias'; text: string }
    | { kind: 'phoneme'; phoneme: string; alphabet: 'ipa' | 'x-sampa' };
}

export interface SynthesisRequest {
  /** One piece of plain text (a sentence or clause); SSML is resolved before it reaches an engine. */
  text: string;
  /** BCP-47-ish language code, e.g. `en`, `en-gb`, `fr`. */
  language: string;
  voice: EngineVoice;
  /** Speaking-rate multiplier, 0.5-2.0 (1 = the voice's own rate). */
  speed: number;
  /** Pitch multiplier from SSML prosody (1 = the voice's own pitch). */
  pitch?: number;
  /**
   * The rate the caller wants the samples at. Engines that can convert in their own threads do
   * so (the main thread then only moves bytes); others answer at their native rate, which each
   * chunk states, and the caller converts.
   */
  sampleRate?: number;
  /**
   * Only for engines whose capabilities say `phonemes`: spans of `text` said as given. Word
   * timings still name the words of `text` (the span's own words, not the alias).
   */
  pronunciations?: SpokenSpan[];
}

export interface WordTiming {
  word: string;
  /** Offsets in milliseconds from the start of this request's audio. */
  startMs: number;
  endMs: number;
}

export interface PcmChunk {
  /** Mono signed 16-bit samples. */
  samples: Int16Array;
  sampleRate: number;
  /** Set by engines that delegate (a fallback wrapper): the id of the engine that produced it. */
  engineId?: string;
  /** Words whose start falls inside this chunk, when the engine reports word timings. */
  words?: WordTiming[];
  /**
   * On an engine's last chunk (which may hold no samples): the time its thread spent on this
   * request. Schedulers learn the engine's cost from it; without it they use wall-clock time.
   */
  renderMs?: number;
}

export interface EngineCapabilities {
  /** Pieces the engine renders at the same time (worker threads, server slots). */
  parallelism: number;
  languages: string[];
  nativeSampleRate: number;
  ssml: boolean;
  wordTimings: boolean;
  cloning: 'native' | 'approximate' | 'none';
  streaming: boolean;
  /** Takes `pronunciations` (IPA or X-SAMPA phonemes, aliases) on a request. Default false. */
  phonemes?: boolean;
}

export interface EngineHealth {
  /** True once the engine can answer without a cold start (voices warm, server reachable). */
  modelLoaded: boolean;
  /** Engine name and version, e.g. `espeak-ng 1.52 (emscripten)`. */
  systemTts: string;
  streamingSupported: boolean;
  queueDepth: number;
}

export interface TtsEngine {
  /** Stable engine id, sent to clients as `X-TTS-Method`. */
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  /** Start workers, warm voices, check the remote server. Called once at boot. */
  init(): Promise<void>;
  /**
   * This engine's part of a voice's stored conditioning, which keeps one entry per engine id
   * (`{ espeak: {...}, xtts: {...} }`): an engine takes its own entry (empty when there is none),
   * a wrapper that delegates to several engines takes the whole map.
   */
  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning;
  /** True when the engine can render this voice description (e.g. the eSpeak voice exists). */
  supportsVoice(conditioning: VoiceConditioning): boolean;
  /**
   * Yields audio as it is produced. Aborting `signal` stops the work at once and frees whatever
   * the engine held (worker, connection); the iterator then ends by throwing an AbortError.
   */
  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk>;
  health(): EngineHealth;
  close(): Promise<void>;
  /**
   * Turns a reference recording into this engine's conditioning for a new voice. Engines without
   * cloning leave it undefined.
   */
  cloneVoice?(reference: VoiceReference, signal?: AbortSignal): Promise<ClonedVoice>;
}

/** A validated reference recording and what was measured on it. */
export interface VoiceReference {
  /** Mono 16-bit PCM WAV at 24 kHz. */
  wav: Buffer;
  durationMs: number;
  /** Median fundamental frequency of voiced frames, if any were found. */
  f0MedianHz: number | null;
  /** Syllables per second, if measurable. */
  speakingRate: number | null;
}

export interface ClonedVoice {
  cloning: 'native' | 'approximate';
  conditioning: VoiceConditioning;
}

export enum EngineErrorCode {
  Busy = 'engine_busy',
  Unavailable = 'engine_unavailable',
  UnknownVoice = 'unknown_engine_voice',
  UnsupportedLanguage = 'unsupported_language',
  Failed = 'synthesis_failed',
  /** A remote engine refused the request itself (a 4xx about the text or voice). */
  Rejected = 'engine_rejected',
}

/**
 * Why work was refused with `engine_busy`. `first_audio_wait`: calls are arriving faster than the
 * engine can voice their first words in time; `capacity`: the real-time streams already admitted
 * use what the engine can keep up with; `tenant_share`: this tenant's streams hold the share of
 * the engine one tenant may; `no_room`: a whole-file request while live streams fill the engine;
 * `queue_full`: the engine's own queue is full.
 */
export const BUSY_REASONS = [
  'first_audio_wait',
  'capacity',
  'tenant_share',
  'no_room',
  'queue_full',
] as const;
export type BusyReason = (typeof BUSY_REASONS)[number];

/** Domain error raised by engines; the API maps `code` to an HTTP status. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Seconds a client should wait before retrying (for `engine_busy`). */
    readonly retryAfterS?: number,
    /** Which limit refused the work, for `engine_busy` (see BusyReason); answered as `reason`. */
    readonly reason?: BusyReason,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const TTS_ENGINE = Symbol('TTS_ENGINE');
