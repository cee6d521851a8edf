/**
 * The wire protocol of coqui-ai/xtts-streaming-server (FastAPI, `server/main.py`) and the shape of
 * the conditioning it hands out. Only what this adapter uses is described.
 */
import type { VoiceConditioning } from '../engine.interface';

/** `/tts_stream` sends raw mono s16le PCM at the model's output rate. */
export const XTTS_SAMPLE_RATE = 24_000;

/** XTTS v2's `config.languages`, the codes its `/tts_stream` accepts. */
export const XTTS_LANGUAGES: readonly string[] = [
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'pl',
  'tr',
  'ru',
  'nl',
  'cs',
  'ar',
  'zh-cn',
  'ja',
  'hu',
  'ko',
  'hi',
];

/** `speaker_embedding` is the squeezed (1, 512, 1) speaker-encoder output. */
export const XTTS_SPEAKER_EMBEDDING_SIZE = 512;
/** The server reshapes `gpt_cond_latent` to (-1, 1024): every row must hold 1024 values. */
export const XTTS_LATENT_WIDTH = 1024;
/** The real model produces 32 rows; fewer or more still reshape, so only a sane bound is kept. */
const MAX_LATENT_ROWS = 1024;

/** What `/clone_speaker` returns and `/tts_stream` takes back: this engine's voice conditioning. */
export interface XttsConditioning {
  speaker_embedding: number[];
  gpt_cond_latent: number[][];
}

/** JSON body of `POST /tts_stream`. */
export interface TtsStreamBody extends XttsConditioning {
  text: string;
  language: string;
  add_wav_header: boolean;
  /** A string field on the server; pydantic 2 rejects a number there. */
  stream_chunk_size: string;
}

/** The conditioning when it has the shapes XTTS takes, else null. */
export function parseXttsConditioning(conditioning: VoiceConditioning): XttsConditioning | null {
  const { speaker_embedding: embedding, gpt_cond_latent: latent } = conditioning;
  if (!isNumberRow(embedding, XTTS_SPEAKER_EMBEDDING_SIZE)) return null;
  if (!Array.isArray(latent) || latent.length === 0 || latent.length > MAX_LATENT_ROWS) {
    return null;
  }
  if (!latent.every((row) => isNumberRow(row, XTTS_LATENT_WIDTH))) return null;
  return { speaker_embedding: embedding, gpt_cond_latent: latent };
}

/**
 * The XTTS code for a BCP-47-ish tag: exact codes pass, Chinese in any form is `zh-cn` (the
 * only Chinese XTTS has), other tags fall back to their primary subtag (`en-GB` → `en`).
 * Empty means English, as the API's own default. Null when XTTS does not speak it.
 */
export function toXttsLanguage(language: string): string | null {
  const code = language.trim().toLowerCase().replace(/_/g, '-');
  if (code === '') return 'en';
  if (XTTS_LANGUAGES.includes(code)) return code;
  const primary = code.split('-')[0];
  if (primary === 'zh' || primary === 'cmn') return 'zh-cn';
  return XTTS_LANGUAGES.includes(primary) ? primary : null;
}

function isNumberRow(value: unknown, length: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}
