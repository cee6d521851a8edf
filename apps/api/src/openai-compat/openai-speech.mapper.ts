import { clamp } from '@cw/util';
import type { AudioFormat } from '@cw/audio';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import type { CreateSpeechDto, OpenAiResponseFormat } from './dto/create-speech.dto';
import { OpenAiCompatErrorCode, OpenAiCompatException } from './openai-compat.exception';
import { echo } from '../common/errors/echo';

/** OpenAI's TTS output rate, for every format. */
export const OPENAI_SAMPLE_RATE = 24000;

/** The speeds our own routes accept, and what the engine renders faithfully. */
export const ENGINE_SPEED_MIN = 0.5;
export const ENGINE_SPEED_MAX = 2;

const FORMATS: Record<OpenAiResponseFormat, AudioFormat | null> = {
  mp3: 'mp3',
  wav: 'wav',
  pcm: 'pcm',
  opus: null,
  aac: null,
  flac: null,
};

const SUPPORTED = Object.keys(FORMATS).filter((f) => FORMATS[f as OpenAiResponseFormat]);

/**
 * An OpenAI speech request as one of our synthesis requests, spoken by `voiceId` (the voice the
 * tenant's OpenAI voice table resolved). `model` and `instructions` have no counterpart; the text
 * is plain text in English, as OpenAI clients send it.
 */
export function toSynthesizeDto(dto: CreateSpeechDto, voiceId: string): SynthesizeDto {
  const requested = dto.response_format ?? 'mp3';
  const format = FORMATS[requested];
  if (!format) {
    throw new OpenAiCompatException(
      OpenAiCompatErrorCode.UnsupportedValue,
      `response_format '${echo(requested)}' is not supported by this service (no ${echo(requested)} encoder); use one of: ${SUPPORTED.join(', ')}`,
      'response_format',
    );
  }
  return {
    text: dto.input,
    voice_id: voiceId,
    language: 'en',
    format,
    sample_rate: OPENAI_SAMPLE_RATE,
    speed: clamp(dto.speed ?? 1, ENGINE_SPEED_MIN, ENGINE_SPEED_MAX),
    ssml: false,
  };
}
