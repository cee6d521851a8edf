import type { IncomingMessage } from 'node:http';
import {
  EngineError,
  EngineErrorCode,
  type EngineCapabilities,
  type EngineHealth,
  type PcmChunk,
  type SynthesisRequest,
  type TtsEngine,
  type VoiceConditioning,
} from '../engine.interface';
import {
  abortError,
  describeNetworkError,
  noAudio,
  parseServerUrl,
  positive,
} from '../engine-calls';
import { engineConditioning } from '../voice-conditioning';
import { S16leDecoder } from '../xtts/s16le-decoder';
import { CallDeadline, readBody, XttsHttpClient as HttpClient } from '../xtts/xtts-http';
import { WavStreamDecoder } from './wav-stream-decoder';

export interface OpenAiEngineOptions {
  /** Engine id (X-TTS-Method, the key of a voice's conditioning), e.g. `openai`, `kokoro`. */
  id: string;
  /** Base URL ending in `/v1`: requests go to `{url}/audio/speech`. */
  url: string;
  /** Sent as `Authorization: Bearer`; never logged or shown. */
  apiKey?: string;
  /** `model` of every request (`tts-1`, `kokoro`, ...). */
  model?: string;
  /** The voices the server has; empty or absent: discovered from `GET {url}/audio/voices`. */
  voices?: string[];
  /** `pcm` (raw s16le at `sampleRate`) or `wav` (the rate is read from the header). */
  responseFormat?: 'pcm' | 'wav';
  /** Rate of `pcm` answers: OpenAI and Kokoro send 24 kHz. */
  sampleRate?: number;
  /** Connect, headers and first audio must all come within this, or the call is unavailable. */
  timeoutMs?: number;
  /** Once audio flows, a longer silence fails the stream. */
  stallTimeoutMs?: number;
  /** Requests the server serves at once (the scheduler lane's workers). */
  concurrency?: number;
  /** Language codes the engine is offered for (it is sent no language). */
  languages?: string[];
}

/** What a voice of this engine stores: the upstream's own voice name. */
export interface OpenAiConditioning {
  voice: string;
}

export const OPENAI_DEFAULT_MODEL = 'tts-1';
export const OPENAI_PCM_SAMPLE_RATE = 24_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_STALL_TIMEOUT_MS = 15_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_VOICES_BODY_BYTES = 1024 * 1024;

/**
 * An OpenAI-compatible speech server (OpenAI itself, Kokoro-FastAPI, openedai-speech):
 * `POST {base}/audio/speech` with `model`, `voice`, `input`, `response_format` and `speed`,
 * audio streamed back as it is made. We take PCM (or WAV) and do every resampling and encoding
 * ourselves, so every output format works with it.
 *
 * Errors follow the XTTS adapter's rule: before the first audio, a refused or broken call, a
 * 5xx, a rejected key or no audio within `timeoutMs` is `engine_unavailable` (a fallback may
 * answer instead); a 429 is `engine_busy`; a 4xx about the request is `engine_rejected`;
 * anything after the first audio is `synthesis_failed`.
 */
export class OpenAiEngine implements TtsEngine {
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  private readonly base: URL;
  private readonly http: HttpClient;
  private readonly model: string;
  private readonly apiKey: string | undefined;
  private readonly format: 'pcm' | 'wav';
  private readonly sampleRate: number;
  private readonly timeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly lifetime = new AbortController();
  private voiceList: string[];
  private readonly configuredVoices: boolean;
  private inFlight = 0;
  private reachable = false;
  private lastError: string | null = null;

  constructor(options: OpenAiEngineOptions) {
    this.id = options.id;
    this.base = parseServerUrl(options.url, `Engine "${options.id}": url`);
    this.http = new HttpClient(this.base);
    this.model = options.model?.trim() || OPENAI_DEFAULT_MODEL;
    this.apiKey = options.apiKey?.trim() || undefined;
    this.format = options.responseFormat ?? 'pcm';
    this.sampleRate = options.sampleRate ?? OPENAI_PCM_SAMPLE_RATE;
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.stallTimeoutMs = positive(options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
    this.voiceList = [...new Set(options.voices ?? [])];
    this.configuredVoices = this.voiceList.length > 0;
    this.capabilities = {
      parallelism: Math.max(1, Math.round(options.concurrency ?? 4)),
      languages: options.languages?.length ? [...options.languages] : ['en'],
      nativeSampleRate: this.format === 'pcm' ? this.sampleRate : OPENAI_PCM_SAMPLE_RATE,
      ssml: false,
      wordTimings: false,
      cloning: 'none',
      streaming: true,
    };
  }

  /** The server URL without credentials, for logs and health. */
  get url(): string {
    return `${this.base.origin}${this.base.pathname}`;
  }

  /** The voices this engine can speak with (configured or discovered). */
  get voices(): readonly string[] {
    return this.voiceList;
  }

  /** Why the last call or probe failed, when it did (no secrets). */
  get lastFailure(): string | null {
    return this.lastError;
  }

  /** Probes the server (and learns its voices when none were configured). Never throws. */
  async init(): Promise<void> {
    await this.probe();
  }

  /** `GET {base}/audio/voices`: any answer below 500 means the server is there. */
  async probe(): Promise<boolean> {
    if (this.lifetime.signal.aborted) return false;
    const deadline = new CallDeadline([this.lifetime.signal], this.timeoutMs);
    try {
      const res = await this.http.request(
        'GET',
        'audio/voices',
        { headers: this.authHeaders() },
        deadline.signal,
      );
      const body = await readBody(res, MAX_VOICES_BODY_BYTES);
      const status = res.statusCode ?? 500;
      this.reachable = status < 500 && status !== 401 && status !== 403;
      if (status === 401 || status === 403) {
        this.lastError = `${this.url} refused the API key (${status})`;
      } else if (status >= 500) {
        this.lastError = `${this.url} answered ${status}`;
      } else {
        this.lastError = null;
      }
      if (status === 200 && !this.configuredVoices) {
        const discovered = parseVoiceList(body);
        if (discovered.length) this.voiceList = discovered;
      }
    } catch (error) {
      this.reachable = false;
      this.lastError = `${this.url} is unreachable: ${describeNetworkError(error)}`;
    } finally {
      deadline.dispose();
    }
    return this.reachable;
  }

  conditioningFor(voiceConditioning: Record<string, unknown>): VoiceConditioning {
    return engineConditioning(voiceConditioning, this.id) ?? {};
  }

  /** A voice names one of the server's voices (any name while the list is unknown). */
  supportsVoice(conditioning: VoiceConditioning): boolean {
    const voice = parseOpenAiConditioning(conditioning);
    if (!voice) return false;
    return this.voiceList.length === 0 || this.voiceList.includes(voice.voice);
  }

  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<PcmChunk> {
    if (this.lifetime.signal.aborted) {
      throw new EngineError(EngineErrorCode.Unavailable, `Engine ${this.id} is closed`);
    }
    const voice = parseOpenAiConditioning(request.voice.conditioning);
    if (!voice) {
      throw new EngineError(
        EngineErrorCode.UnknownVoice,
        `Voice ${request.voice.id} names no ${this.id} voice`,
      );
    }
    if (request.text.trim() === '') return noAudio();
    const body = JSON.stringify({
      model: this.model,
      voice: voice.voice,
      input: request.text,
      response_format: this.format,
      speed: Math.min(4, Math.max(0.25, request.speed)),
      stream: true,
    });
    return this.stream(body, signal);
  }

  health(): EngineHealth {
    return {
      modelLoaded: this.reachable && !this.lifetime.signal.aborted,
      systemTts: `OpenAI-compatible speech at ${this.url} (model ${this.model})`,
      streamingSupported: true,
      queueDepth: this.inFlight,
    };
  }

  async close(): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    this.lifetime.abort(new Error(`Engine ${this.id} is shutting down`));
    this.http.close();
  }

  private authHeaders(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }

  private async *stream(payload: string, signal: AbortSignal): AsyncGenerator<PcmChunk> {
    const deadline = new CallDeadline([signal, this.lifetime.signal], this.timeoutMs);
    const pcm = new S16leDecoder();
    const wav = new WavStreamDecoder();
    let res: IncomingMessage | undefined;
    let chunks = 0;
    this.inFlight++;
    try {
      res = await this.http.request(
        'POST',
        'audio/speech',
        {
          headers: {
            ...this.authHeaders(),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
          body: payload,
        },
        deadline.signal,
      );
      if (res.statusCode !== 200) throw await this.statusError(res);
      const type = res.headers['content-type'] ?? '';
      if (!/^(audio\/|application\/octet-stream|$)/i.test(type)) {
        this.reachable = false;
        throw new EngineError(
          EngineErrorCode.Unavailable,
          `${this.id}: ${this.url} answered ${type}, not audio`,
        );
      }
      for await (const bytes of res as AsyncIterable<Buffer>) {
        deadline.restart(this.stallTimeoutMs);
        let samples: Int16Array;
        if (this.format === 'pcm') {
          samples = pcm.push(bytes);
        } else {
          try {
            samples = wav.push(bytes);
          } catch (error) {
            throw new EngineError(
              chunks > 0 ? EngineErrorCode.Failed : EngineErrorCode.Unavailable,
              `${this.id} sent an unusable WAV: ${describeNetworkError(error)}`,
            );
          }
        }
        if (samples.length === 0) continue;
        deadline.stop();
        chunks++;
        yield { samples, sampleRate: this.format === 'pcm' ? this.sampleRate : wav.sampleRate! };
        deadline.restart(this.stallTimeoutMs);
      }
      if (!res.complete) {
        throw new Error('the response ended before its end');
      }
      if ((this.format === 'pcm' ? pcm : wav).pendingByte) {
        throw new EngineError(
          EngineErrorCode.Failed,
          `${this.id} stream ended in the middle of a sample (odd byte count)`,
        );
      }
      this.reachable = true;
      this.lastError = null;
    } catch (error) {
      throw this.classify(error, signal, deadline, chunks > 0, res !== undefined);
    } finally {
      deadline.dispose();
      this.inFlight--;
      if (res && !res.complete) res.destroy();
    }
  }

  private async statusError(res: IncomingMessage): Promise<EngineError> {
    const status = res.statusCode ?? 0;
    let detail = '';
    try {
      detail = describeOpenAiError(await readBody(res, MAX_ERROR_BODY_BYTES));
    } catch {
      // The status alone is enough to act on.
    }
    const what = `${this.id} answered ${status}${detail ? ` (${detail})` : ''}`;
    if (status === 429) {
      const retry = Number(res.headers['retry-after']);
      return new EngineError(
        EngineErrorCode.Busy,
        `${this.id} is busy; retry shortly`,
        Number.isFinite(retry) && retry > 0 ? Math.min(60, Math.ceil(retry)) : 1,
      );
    }
    if (status === 401 || status === 403 || status === 404 || status === 408 || status >= 500) {
      this.reachable = false;
      this.lastError = what;
      return new EngineError(EngineErrorCode.Unavailable, what);
    }
    return new EngineError(EngineErrorCode.Rejected, what);
  }

  private classify(
    error: unknown,
    signal: AbortSignal,
    deadline: CallDeadline,
    started: boolean,
    answered: boolean,
  ): Error {
    if (signal.aborted) return abortError(signal);
    if (this.lifetime.signal.aborted) {
      return new EngineError(EngineErrorCode.Unavailable, `Engine ${this.id} is shutting down`);
    }
    if (error instanceof EngineError) return error;
    const code = started ? EngineErrorCode.Failed : EngineErrorCode.Unavailable;
    let message: string;
    if (deadline.expiredAfterMs !== null) {
      message = `${this.id} timed out: ${this.url} ${started ? 'stalled' : 'sent no audio'} for ${deadline.expiredAfterMs} ms`;
    } else if (started) {
      message = `${this.id} stream broke off: ${describeNetworkError(error)}`;
    } else if (answered) {
      message = `${this.id} dropped the request before any audio: ${describeNetworkError(error)}`;
    } else {
      message = `${this.id} at ${this.url} is unreachable: ${describeNetworkError(error)}`;
    }
    if (!started) {
      this.reachable = false;
      this.lastError = message;
    }
    return new EngineError(code, message);
  }
}

export function parseOpenAiConditioning(value: VoiceConditioning): OpenAiConditioning | null {
  const voice = value.voice;
  return typeof voice === 'string' && voice.trim() !== '' && voice.length <= 200 ? { voice } : null;
}

/**
 * `{"voices": ["af_heart", ...]}` (Kokoro legacy, openedai-speech), `{"voices": [{"id": ...}]}`
 * (Kokoro), or a bare array of either.
 */
export function parseVoiceList(body: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const list: unknown =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? ((parsed as { voices?: unknown; data?: unknown }).voices ??
        (parsed as { data?: unknown }).data)
      : parsed;
  if (!Array.isArray(list)) return [];
  const names = list
    .map((v: unknown) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v !== null
          ? ((v as { id?: unknown; voice_id?: unknown; name?: unknown }).id ??
            (v as { voice_id?: unknown }).voice_id ??
            (v as { name?: unknown }).name)
          : undefined,
    )
    .filter((v): v is string => typeof v === 'string' && v !== '');
  return [...new Set(names)];
}

/** OpenAI's `{"error": {"message"}}`, FastAPI's `{"detail": ...}`, or the start of the text. */
export function describeOpenAiError(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const pick = (v: unknown): string | undefined => {
      if (typeof v === 'string') return v;
      if (typeof v === 'object' && v !== null && 'message' in v) {
        return String(v.message);
      }
      return v === undefined ? undefined : JSON.stringify(v);
    };
    const found = pick(parsed.error) ?? pick(parsed.detail) ?? pick(parsed.message);
    if (found) return found.slice(0, 300);
  } catch {
    // Not JSON: a proxy's page or a plain-text error.
  }
  return text.slice(0, 300);
}
