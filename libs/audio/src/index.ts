export {
  AUDIO_FORMATS,
  type AudioFormat,
  SAMPLE_RATES,
  type SampleRate,
  contentTypeFor,
  durationMs,
  isAudioFormat,
} from './audio-format';
export { AudioError, AudioErrorCode } from './audio.exception';
export {
  type AudioEncoder,
  type AudioEncoderOptions,
  createAudioEncoder,
  encodeWhole,
} from './encoder';
export { MP3_SAMPLE_RATES, mp3BitrateFor } from './mp3';
export {
  applyGain,
  concatInt16,
  floatToInt16,
  int16ToBytes,
  mixToMono,
  peak,
  rms,
  silence,
} from './pcm';
export { type Resampler, type ResamplerOptions, createResampler } from './resampler';
export {
  type ParsedWav,
  WAV_HEADER_BYTES,
  WAV_UNKNOWN_SIZE,
  WavFormatTag,
  type WavHeaderOptions,
  encodeWav,
  parseWav,
  wavHeader,
} from './wav';
