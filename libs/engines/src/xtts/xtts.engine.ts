import type { IncomingMessage } from 'node:http';
import {
  EngineError,
  EngineErrorCode,
  type ClonedVoice,
  type EngineCapabilities,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
  type VoiceReference,
} from '../engine.interface';
import {
  abortError,
  describeNetworkError,
  noAudio,
  parseServerUrl,
  positive,
} from '../engine-calls';
import { engineConditioning } from '../voice-conditioning';
import { S16leDecoder } from './s16le-decoder';
import {
  CallDeadline,
  describeErrorBody,
  multipartFile,
  readBody,
  XttsHttpClient,
} from './xtts-http';
import {
  parseXttsConditioning,
  toXttsLanguage,
  XTTS_LANGUAGES,
  XTTS_SAMPLE_RATE,
  type TtsStreamBody,
} from './xtts.protocol';

export interface XttsEngineOptions {
  /** Base URL of the xtts-streaming-server, e.g. `http://xtts:8000` (a path prefix is kept). */
  url: string;
  /**
   * Connecting, the response headers and the first audio bytes must all come within this, or
   * the call fails with `engine_unavailable` before any audio. Also bounds the `init()` probe.
   */
  timeoutMs?: number;
  /** GPT tokens per streamed chunk (the server's `stream_chunk_size`); lower = sooner audio. */
  streamChunkSize?: number;
  /** Once audio flows, a longer silence from the server fails the stream (`synthesis_failed`). */
  stallTimeoutMs?: number;
  /** Whole `/clone_speaker` call, which computes the latents before answering. */
  cloneTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_STREAM_CHUNK_SIZE = 20;
const DEFAULT_STALL_TIMEOUT_MS = 30_000;
const DEFAULT_CLONE_TIMEOUT_MS = 60_000;
/** 32 × 1024 half-precision floats as JSON are ~300 KB; anything far larger is not a latent. */
const MAX_CLONE_RESPONSE_BYTES = 16 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Coqui XTTS v2 behind coqui-ai/xtts-streaming-server: native voice cloning from a reference
 * recording, and audio streamed over HTTP as the model produces it (raw 24 kHz s16le mono).
 *
 * The server has no speaking-rate or pitch input on `/tts_stream`, so `speed` and `pitch` are
 * ignored: a cloned voice speaks at the pace of its reference recording.
 *
 * Errors follow one rule so a fallback can act on them: anything that goes wrong before the
 * first chunk (refused, unreachable, no audio within `timeoutMs`, 5xx) is `engine_unavailable`;
 * anything after it is `synthesis_failed`, thrown from the iterator.
 */
export class XttsEngine implements TtsEngine {
  readonly id = 'xtts';
  readonly capabilities: EngineCapabilities = {
    // xtts-streaming-server renders one request per GPU worker; a few in flight keep it busy.
    parallelism: 4,
    languages: [...XTTS_LANGUAGES],
    nativeSampleRate: XTTS_SAMPLE_RATE,
    ssml: false,
    wordTimings: false,
    cloning: 'native',
    streaming: true,
  };

  private readonly base: URL;
  private readonly http: XttsHttpClient;
  private readonly timeoutMs: number;
  private readonly streamChunkSize: number;
  private readonly stallTimeoutMs: number;
  private readonly cloneTimeoutMs: number;
  private readonly lifetime = new AbortController();
  private inFlight = 0;
  private reachable = false;

  constructor(options: XttsEngineOptions) {
    this.base = parseServerUrl(options.url, 'XTTS server URL');
    this.http = new XttsHttpClient(this.base);
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.streamChunkSize = Math.round(positive(options.streamChunkSize, DEFAULT_STREAM_CHUNK_SIZE));
    this.stallTimeoutMs = positive(options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
    this.cloneTimeoutMs = positive(options.cloneTimeoutMs, DEFAULT_CLONE_TIMEOUT_MS);
  }

  /** The server URL without credentials, for logs and health. */
  get url(): string {
    return `${this.base.origin}${this.base.pathname}`;
  }

  /** Probes the server. A server that is down does not fail boot: health reports it instead. */
  async init(): Promise<void> {
    await this.probe();
  }

  /**
   * `GET /languages`; true when the server answered. The server loads the model before it starts
   * listening, so any answer means the model is in memory. Never throws.
   */
  async probe(): Promise<boolean> {
    if (this.lifetime.signal.aborted) return false;
    const deadline = new CallDeadline([this.lifetime.signal], this.timeoutMs);
    try {
      const res = await this.http.request('GET', '/languages', {}, deadline.signal);
      await readBody(res, MAX_ERROR_BODY_BYTES);
      this.reachable = (res.statusCode ?? 500) < 500;
    } catch {
      this.reachable = false;
    } finally {
      deadline.dispose();
    }
    return this.reachable;
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return engineConditioning(voiceConditioning, this.id) ?? {};
  }

  supportsVoice(conditioning: VoiceConditioning): boolean {
    return parseXttsConditioning(conditioning) !== null;
  }

  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> {
    this.assertOpen();
    const conditioning = parseXttsConditioning(request.voice.conditioning);
    if (!conditioning) {
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${request.voice.id} has no valid XTTS conditioning`,
      );
    }
    const language = toXttsLanguage(request.language);
    if (language === null) {
      throw new EngineError(
        EngineErrorCode.UnsupportedLanguage,
        `XTTS does not speak "${request.language}"; it speaks ${XTTS_LANGUAGES.join(', ')}`,
      );
    }
    if (request.text.trim() === '') return noAudio();
    const body: TtsStreamBody = {
      text: request.text,
      language,
      speaker_embedding: conditioning.speaker_embedding,
      gpt_cond_latent: conditioning.gpt_cond_latent,
      add_wav_header: false,
      stream_chunk_size: String(this.streamChunkSize),
    };
    return this.stream(JSON.stringify(body), signal);
  }

  /** `POST /clone_speaker` with the reference as `wav_file`: the server computes the latents. */
  async cloneVoice(reference: VoiceReference, signal?: AbortSignal): Promise<ClonedVoice> {
    this.assertOpen();
    const form = multipartFile('wav_file', 'reference.wav', 'audio/wav', reference.wav);
    const deadline = new CallDeadline([signal, this.lifetime.signal], this.cloneTimeoutMs);
    this.inFlight++;
    try {
      const res = await this.http.request(
        'POST',
        '/clone_speaker',
        {
          headers: { 'content-type': form.contentType, 'content-length': form.body.length },
          body: form.body,
        },
        deadline.signal,
      );
      // A 500 here is the model failing on this recording; only gateway errors mean "down".
      if (res.statusCode !== 200) {
        throw await this.statusError(res, 'voice cloning', (s) => s >= 502 && s <= 504);
      }
      const body = await readBody(res, MAX_CLONE_RESPONSE_BYTES);
      this.reachable = true;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new EngineError(EngineErrorCode.Failed, 'XTTS /clone_speaker did not answer JSON');
      }
      const conditioning =
        typeof parsed === 'object' && parsed !== null
          ? parseXttsConditioning(parsed as VoiceConditioning)
          : null;
      if (!conditioning) {
        throw new EngineError(
          EngineErrorCode.Failed,
          'XTTS /clone_speaker answered without a 512-value speaker_embedding and 1024-wide gpt_cond_latent rows',
        );
      }
      return {
        cloning: 'native',
        conditioning: {
          speaker_embedding: conditioning.speaker_embedding,
          gpt_cond_latent: conditioning.gpt_cond_latent,
        },
      };
    } catch (error) {
      throw this.classify(error, signal, deadline, { started: false, action: 'voice cloning' });
    } finally {
      deadline.dispose();
      this.inFlight--;
    }
  }

  health(): EngineHealth {
    return {
      modelLoaded: this.reachable && !this.lifetime.signal.aborted,
      systemTts: `xtts-streaming-server at ${this.url}`,
      streamingSupported: true,
      queueDepth: this.inFlight,
    };
  }

  /** Breaks the streams still running (they end with `engine_unavailable`) and the connections. */
  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort(new Error('XTTS engine is shutting down'));
    this.http.close();
  }

  private async *stream(payload: string, signal: AbortSignal): AsyncGenerator<PcmChunk> {
    const deadline = new CallDeadline([signal, this.lifetime.signal], this.timeoutMs);
    const decoder = new S16leDecoder();
    let res: IncomingMessage | undefined;
    let chunks = 0;
    this.inFlight++;
    try {
      res = await this.http.request(
        'POST',
        '/tts_stream',
        {
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
          body: payload,
        },
        deadline.signal,
      );
      if (res.statusCode !== 200) {
        throw await this.statusError(res, 'synthesis', (s) => s >= 500);
      }
      // Something else answering at the URL (a proxy's error page): not audio, not XTTS.
      const type = res.headers['content-type'] ?? '';
      if (!/^(audio\/|application\/octet-stream|$)/i.test(type)) {
        this.reachable = false;
        throw new EngineError(
          EngineErrorCode.Unavailable,
          `XTTS synthesis failed: ${this.url} answered ${type}, not audio`,
        );
      }
      // The server sends its 200 before the model has produced anything: the first-audio
      // deadline keeps running until bytes arrive.
      for await (const bytes of res as AsyncIterable<Buffer>) {
        deadline.restart(this.stallTimeoutMs);
        const samples = decoder.push(bytes);
        if (samples.length === 0) continue;
        // While the consumer holds the chunk, the server is not the one being slow.
        deadline.stop();
        chunks++;
        yield { samples, sampleRate: XTTS_SAMPLE_RATE };
        deadline.restart(this.stallTimeoutMs);
      }
      if (decoder.pendingByte) {
        throw new EngineError(
          EngineErrorCode.Failed,
          'XTTS stream ended in the middle of a sample (odd byte count)',
        );
      }
      this.reachable = true;
    } catch (error) {
      throw this.classify(error, signal, deadline, {
        started: chunks > 0,
        answered: res !== undefined,
        action: 'synthesis',
      });
    } finally {
      deadline.dispose();
      this.inFlight--;
      // Stopped early (abort, consumer gone): close the connection so the server stops too.
      if (res && !res.complete) res.destroy();
    }
  }

  /** A non-200 answer as an EngineError; `down(status)` picks the ones that mean "unavailable". */
  private async statusError(
    res: IncomingMessage,
    action: string,
    down: (status: number) => boolean,
  ): Promise<EngineError> {
    const status = res.statusCode ?? 0;
    let detail = '';
    try {
      detail = describeErrorBody(await readBody(res, MAX_ERROR_BODY_BYTES));
    } catch {
      // The status alone is enough to act on.
    }
    const unavailable = down(status);
    this.reachable = !unavailable;
    return new EngineError(
      unavailable ? EngineErrorCode.Unavailable : EngineErrorCode.Failed,
      `XTTS ${action} failed: server answered ${status}${detail ? ` (${detail})` : ''}`,
    );
  }

  /** Maps whatever ended a call to the error the caller sees (see the class comment). */
  private classify(
    error: unknown,
    signal: AbortSignal | undefined,
    deadline: CallDeadline,
    at: { started: boolean; answered?: boolean; action: string },
  ): Error {
    if (signal?.aborted) return abortError(signal);
    if (this.lifetime.signal.aborted) {
      return new EngineError(EngineErrorCode.Unavailable, 'XTTS engine is shutting down');
    }
    if (error instanceof EngineError) return error;
    this.reachable = false;
    const code = at.started ? EngineErrorCode.Failed : EngineErrorCode.Unavailable;
    if (deadline.expiredAfterMs !== null) {
      const what = at.started ? 'stalled' : 'sent nothing';
      return new EngineError(
        code,
        `XTTS ${at.action} timed out: the server at ${this.url} ${what} for ${deadline.expiredAfterMs} ms`,
      );
    }
    const reason = describeNetworkError(error);
    if (at.started) {
      return new EngineError(code, `XTTS ${at.action} stream broke off: ${reason}`);
    }
    if (at.answered) {
      return new EngineError(
        code,
        `XTTS server dropped the ${at.action} before any audio: ${reason}`,
      );
    }
    return new EngineError(code, `XTTS server at ${this.url} is unreachable: ${reason}`);
  }

  private assertOpen(): void {
    if (this.lifetime.signal.aborted) {
      throw new EngineError(EngineErrorCode.Unavailable, 'XTTS engine is closed');
    }
  }
}
