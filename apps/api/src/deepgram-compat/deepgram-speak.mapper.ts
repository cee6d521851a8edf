import {
  NIGERIAN_LEXICON_PARAM,
  parseNigerianLexicon,
} from '../pronunciation/nigerian-lexicon-query';
import { type AudioFormat, SAMPLE_RATES } from '@cw/audio';
import { echo } from '../common/errors/echo';
import { MAX_TEXT_CHARS } from '../synthesis/dto/synthesize.dto';
import type { SpeechOptions } from '../synthesis/synthesis.service';
import { DeepgramCompatErrorCode, DeepgramCompatException } from './deepgram-compat.exception';
import { voiceForModel } from './deepgram-voices';

/** Deepgram's default model when none is named; it maps to our default voice. */
export const DEFAULT_MODEL = 'aura-asteria-en';

export const DEEPGRAM_ENCODINGS = ['linear16', 'mulaw', 'alaw', 'mp3'] as const;
export type DeepgramEncoding = (typeof DEEPGRAM_ENCODINGS)[number];
/** Encodings Deepgram offers that we have no encoder for. */
const UNSUPPORTED_ENCODINGS = ['opus', 'flac', 'aac'];

/** Deepgram's rates per encoding that we also make; its 32 and 48 kHz we cannot. */
const RATES: Record<DeepgramEncoding, readonly number[]> = {
  linear16: SAMPLE_RATES,
  mulaw: [8000],
  alaw: [8000],
  mp3: [22050],
};
const DEFAULT_RATE: Record<DeepgramEncoding, number> = {
  linear16: 24000,
  mulaw: 8000,
  alaw: 8000,
  mp3: 22050,
};

/** What a `/v1/speak` query asks for, as our speech options. */
export interface DeepgramSpeak {
  /** The model as the client named it, echoed in Metadata and `dg-model-name`. */
  model: string;
  encoding: DeepgramEncoding;
  options: SpeechOptions;
  /** Audio in a WAV container (the REST default for linear16, mulaw and alaw). */
  wav: boolean;
}

export type QueryValues = Record<string, unknown>;

function param(query: QueryValues, name: string): string | undefined {
  const value = query[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

const unsupported = (message: string) =>
  new DeepgramCompatException(DeepgramCompatErrorCode.UnsupportedValue, message);
const invalid = (message: string) =>
  new DeepgramCompatException(DeepgramCompatErrorCode.InvalidValue, message);

/**
 * The query of `POST /v1/speak` (`socket: false`) or of the `/v1/speak` WebSocket. Parameters
 * we have no use for (`tag`, `mip_opt_out`, `bit_rate`, ...) are ignored, as Deepgram's clients
 * send them.
 */
export function parseSpeakQuery(query: QueryValues, socket: boolean): DeepgramSpeak {
  const model = param(query, 'model') ?? DEFAULT_MODEL;
  const voiceId = voiceForModel(model);
  if (voiceId === null) {
    throw unsupported(
      `model '${echo(model)}' is a Deepgram voice with no counterpart here; use one of our voice ids (model=naija_female) or an English Aura voice listed in the README`,
    );
  }
  if (voiceId.length > 64) throw invalid('model must be at most 64 characters');
  const requested = param(query, 'encoding') ?? (socket ? 'linear16' : 'mp3');
  if (UNSUPPORTED_ENCODINGS.includes(requested)) {
    throw unsupported(
      `encoding '${requested}' is not supported by this service (no encoder); use one of: ${DEEPGRAM_ENCODINGS.join(', ')}`,
    );
  }
  if (!(DEEPGRAM_ENCODINGS as readonly string[]).includes(requested)) {
    throw invalid(`encoding must be one of: ${DEEPGRAM_ENCODINGS.join(', ')}`);
  }
  const encoding = requested as DeepgramEncoding;
  if (socket && encoding === 'mp3') {
    throw unsupported(
      "encoding 'mp3' is not available on the WebSocket; use linear16, mulaw or alaw",
    );
  }
  const sampleRate = rateOf(encoding, param(query, 'sample_rate'));
  const wav = containerIsWav(encoding, param(query, 'container'), socket);
  if (param(query, 'callback')) {
    throw unsupported('callback is not supported: the audio is always returned in the response');
  }
  return {
    model,
    encoding,
    wav,
    options: {
      voice_id: voiceId,
      language: 'en',
      format: formatOf(encoding, wav),
      sample_rate: sampleRate,
      speed: speedOf(param(query, 'speed')),
      nigerian_lexicon: parseNigerianLexicon(query[NIGERIAN_LEXICON_PARAM]),
    },
  };
}

function rateOf(encoding: DeepgramEncoding, raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_RATE[encoding];
  const rate = Number(raw);
  if (!Number.isInteger(rate) || rate <= 0)
    throw invalid('sample_rate must be a whole number of Hz');
  if (!RATES[encoding].includes(rate)) {
    throw unsupported(
      `sample_rate ${rate} is not supported for ${encoding} by this service; use one of: ${RATES[encoding].join(', ')}`,
    );
  }
  return rate;
}

function containerIsWav(
  encoding: DeepgramEncoding,
  container: string | undefined,
  socket: boolean,
): boolean {
  if (container === undefined) return !socket && encoding !== 'mp3';
  if (container === 'none') return false;
  if (container === 'wav' && !socket && encoding !== 'mp3') return true;
  throw unsupported(
    socket
      ? "container must be 'none' on the WebSocket (audio is raw)"
      : `container '${echo(container)}' is not available for ${encoding}; use ${encoding === 'mp3' ? 'none' : 'wav or none'}`,
  );
}

/** Our rendering format: linear16 in WAV is our streamed WAV; G.711 gets its header added. */
function formatOf(encoding: DeepgramEncoding, wav: boolean): AudioFormat {
  switch (encoding) {
    case 'linear16':
      return wav ? 'wav' : 'pcm';
    case 'mulaw':
    case 'alaw':
    case 'mp3':
      return encoding;
  }
}

function speedOf(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const speed = Number(raw);
  if (!Number.isFinite(speed) || speed < 0.5 || speed > 2) {
    throw invalid('speed must be a number between 0.5 and 2.0');
  }
  return speed;
}

/** The body of `POST /v1/speak`: `{"text"}`; other fields are ignored. */
export function textOf(body: unknown): string {
  const text =
    typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
  if (typeof text !== 'string') throw invalid('The JSON body needs a string "text"');
  if (text.length > MAX_TEXT_CHARS) {
    throw invalid(`text must be at most ${MAX_TEXT_CHARS} characters`);
  }
  return text;
}
