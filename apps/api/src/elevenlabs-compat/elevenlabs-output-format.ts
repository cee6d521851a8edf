import type { AudioFormat } from '@cw/audio';
import { echo } from '../common/errors/echo';
import { ElevenLabsErrorCode, ElevenLabsException } from './elevenlabs-compat.exception';

/** What an ElevenLabs `output_format` asks for, in our terms. */
export interface ElevenLabsOutput {
  format: AudioFormat;
  sampleRate: number;
}

/** ElevenLabs' default when a request names none. */
export const DEFAULT_OUTPUT_FORMAT = 'mp3_44100_128';

/**
 * Every `output_format` ElevenLabs documents. MP3 is ours at the asked sample rate with our
 * constant bitrate for that rate (the bitrate in the name is not honoured); opus is refused.
 */
const OUTPUT_FORMATS: Readonly<Record<string, ElevenLabsOutput | null>> = {
  mp3_22050_32: { format: 'mp3', sampleRate: 22050 },
  mp3_24000_48: { format: 'mp3', sampleRate: 24000 },
  mp3_44100_32: { format: 'mp3', sampleRate: 44100 },
  mp3_44100_64: { format: 'mp3', sampleRate: 44100 },
  mp3_44100_96: { format: 'mp3', sampleRate: 44100 },
  mp3_44100_128: { format: 'mp3', sampleRate: 44100 },
  mp3_44100_192: { format: 'mp3', sampleRate: 44100 },
  pcm_8000: { format: 'pcm', sampleRate: 8000 },
  pcm_16000: { format: 'pcm', sampleRate: 16000 },
  pcm_22050: { format: 'pcm', sampleRate: 22050 },
  pcm_24000: { format: 'pcm', sampleRate: 24000 },
  pcm_32000: { format: 'pcm', sampleRate: 32000 },
  pcm_44100: { format: 'pcm', sampleRate: 44100 },
  pcm_48000: { format: 'pcm', sampleRate: 48000 },
  ulaw_8000: { format: 'mulaw', sampleRate: 8000 },
  alaw_8000: { format: 'alaw', sampleRate: 8000 },
  opus_48000_32: null,
  opus_48000_64: null,
  opus_48000_96: null,
  opus_48000_128: null,
  opus_48000_192: null,
};

export const SUPPORTED_OUTPUT_FORMATS = Object.keys(OUTPUT_FORMATS).filter(
  (name) => OUTPUT_FORMATS[name] !== null,
);

/** Our format and rate for `output_format`; refuses names we cannot make or do not know. */
export function parseOutputFormat(name: string | undefined | null): ElevenLabsOutput {
  const requested = name || DEFAULT_OUTPUT_FORMAT;
  if (!Object.hasOwn(OUTPUT_FORMATS, requested)) {
    throw new ElevenLabsException(
      ElevenLabsErrorCode.InvalidOutputFormat,
      `output_format '${echo(requested)}' is not an ElevenLabs output format; use one of: ${SUPPORTED_OUTPUT_FORMATS.join(', ')}`,
    );
  }
  const output = OUTPUT_FORMATS[requested];
  if (!output) {
    throw new ElevenLabsException(
      ElevenLabsErrorCode.UnsupportedOutputFormat,
      `output_format '${echo(requested)}' is not supported by this service (no opus encoder); use one of: ${SUPPORTED_OUTPUT_FORMATS.join(', ')}`,
    );
  }
  return output;
}
