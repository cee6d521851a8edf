import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';

/** OpenAI's limit; clients that already split text for OpenAI split it the same for us. */
export const MAX_INPUT_CHARS = 4096;
const MAX_VOICE_ID_CHARS = 64;

/** Every format OpenAI's API names; the ones we have no encoder for are refused with a 400. */
export const OPENAI_RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type OpenAiResponseFormat = (typeof OPENAI_RESPONSE_FORMATS)[number];

export const OPENAI_STREAM_FORMATS = ['audio', 'sse'] as const;
export type OpenAiStreamFormat = (typeof OPENAI_STREAM_FORMATS)[number];

/** OpenAI's accepted speed range; values are clamped to what our engine renders (0.5-2.0). */
export const OPENAI_SPEED_MIN = 0.25;
export const OPENAI_SPEED_MAX = 4;

/** The body fields this route knows; anything else is an unknown parameter. */
export const SPEECH_PARAMS = [
  'model',
  'input',
  'voice',
  'instructions',
  'response_format',
  'speed',
  'stream_format',
] as const;

function isVoice(value: unknown): boolean {
  const id =
    typeof value === 'object' && value !== null && Object.keys(value).length === 1
      ? (value as { id?: unknown }).id
      : value;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_VOICE_ID_CHARS;
}

/** A voice name or id, or OpenAI's custom-voice form `{"id": "..."}`. */
function IsVoice() {
  return ValidateBy({
    name: 'isVoice',
    validator: {
      validate: isVoice,
      defaultMessage: () =>
        `voice must be a voice name or id of 1-${MAX_VOICE_ID_CHARS} characters, or {"id": "<voice id>"}`,
    },
  });
}

/** The body of OpenAI's `POST /v1/audio/speech`, as its SDKs send it. */
export class CreateSpeechDto {
  @ApiProperty({
    description:
      'Any model name (`tts-1`, `tts-1-hd`, `gpt-4o-mini-tts`, ...). Accepted for compatibility ' +
      'and ignored: every request uses the configured engine.',
    example: 'tts-1',
    maxLength: 128,
  })
  @IsDefined({ message: 'model is required' })
  @IsString({ message: 'model must be a string' })
  @IsNotEmpty({ message: 'model must not be empty' })
  @MaxLength(128, { message: 'model must be at most 128 characters' })
  model: string;

  @ApiProperty({
    description: `The text to speak, 1-${MAX_INPUT_CHARS} characters (OpenAI's limit). Plain text; normalized for phone calls like our own routes.`,
    example: 'Hello, thank you for calling. How can I help you today?',
    maxLength: MAX_INPUT_CHARS,
  })
  @IsDefined({ message: 'input is required' })
  @IsString({ message: 'input must be a string' })
  @MaxLength(MAX_INPUT_CHARS, { message: `input must be at most ${MAX_INPUT_CHARS} characters` })
  input: string;

  @ApiProperty({
    description:
      "An OpenAI voice name (mapped to one of our built-in voices, see the operation's table), " +
      'one of our voice ids (built-in or your uploaded `v_...` voices), or `{"id": "<voice id>"}`.',
    oneOf: [
      { type: 'string', example: 'alloy' },
      {
        type: 'object',
        properties: { id: { type: 'string', example: 'naija_female' } },
        required: ['id'],
      },
    ],
  })
  @IsDefined({ message: 'voice is required' })
  @IsVoice()
  voice: string | { id: string };

  @ApiPropertyOptional({
    description:
      'Accepted for compatibility and ignored: the embedded engine cannot be steered by prompts.',
    maxLength: MAX_INPUT_CHARS,
  })
  @IsOptional()
  @IsString({ message: 'instructions must be a string' })
  @MaxLength(MAX_INPUT_CHARS, {
    message: `instructions must be at most ${MAX_INPUT_CHARS} characters`,
  })
  instructions?: string;

  @ApiPropertyOptional({
    enum: OPENAI_RESPONSE_FORMATS,
    default: 'mp3',
    description:
      'All at 24 kHz mono like OpenAI: `mp3`, `wav` (streamed, header sizes 0xFFFFFFFF), `pcm` ' +
      '(raw 16-bit little-endian). `opus`, `aac` and `flac` answer 400: no encoder is available.',
  })
  @IsOptional()
  @IsIn(OPENAI_RESPONSE_FORMATS, {
    message: `response_format must be one of: ${OPENAI_RESPONSE_FORMATS.join(', ')}`,
  })
  response_format?: OpenAiResponseFormat;

  @ApiPropertyOptional({
    minimum: OPENAI_SPEED_MIN,
    maximum: OPENAI_SPEED_MAX,
    default: 1,
    description:
      "OpenAI's range 0.25-4.0 is accepted; the engine speaks at 0.5-2.0, so values outside " +
      'that are clamped to it (0.25 plays as 0.5, 4.0 as 2.0).',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'speed must be a number' })
  @Min(OPENAI_SPEED_MIN, { message: 'speed must be between 0.25 and 4.0' })
  @Max(OPENAI_SPEED_MAX, { message: 'speed must be between 0.25 and 4.0' })
  speed?: number;

  @ApiPropertyOptional({
    enum: OPENAI_STREAM_FORMATS,
    default: 'audio',
    description:
      '`audio` (the audio bytes, chunked as produced) or `sse` (OpenAI server-sent events: ' +
      '`speech.audio.delta` with base64 audio, then `speech.audio.done` with usage).',
  })
  @IsOptional()
  @IsIn(OPENAI_STREAM_FORMATS, {
    message: `stream_format must be one of: ${OPENAI_STREAM_FORMATS.join(', ')}`,
  })
  stream_format?: OpenAiStreamFormat;
}
