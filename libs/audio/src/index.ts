export {
  AUDIO_FORMATS,
  type AudioFormat,
  SAMPLE_RATES,
  type SampleRate,
  contentTypeFor,
  durationMs,
  isAudioFormat,
} from './audio-format';
export { AudioError, AudioErrorCode, type DecodeStats } from './audio.exception';
export {
  type AudioEncoder,
  type AudioEncoderOptions,
  createAudioEncoder,
  type InlineAudioEncoder,
} from './encoder';
export {
  AudioEncoderPool,
  type AudioEncoderPoolOptions,
  resolveEncoderWorkerFile,
} from './encode/encoder-pool';
export { MP3_SAMPLE_RATES, mp3BitrateFor } from './mp3';
export {
  applyGain,
  concatInt16,
  floatToInt16,
  int16ToBytes,
  mixToMono,
  peak,
  rms,
  S16ToF32Converter,
  silence,
} from './pcm';
export {
  type Resampler,
  type ResamplerOptions,
  createResampler,
  resamplerBuild,
  resamplerQualityFor,
} from './resampler';
export {
  type ParsedWav,
  type WavLayout,
  WAV_HEADER_BYTES,
  WAV_UNKNOWN_SIZE,
  WavFormatTag,
  type WavHeaderOptions,
  encodeWav,
  parseWav,
  readWavLayout,
  wavHeader,
} from './wav';
export { DBFS_FLOOR, type Levels, measureLevels, SILENCE_DBFS, toDbfs } from './analysis/levels';
export {
  isVoicedAt,
  medianF0,
  MIN_VOICED_FRAMES,
  type PitchOptions,
  type PitchTrack,
  trackPitch,
} from './analysis/pitch';
export {
  findSyllableNuclei,
  measureSpeakingRate,
  type SpeakingRateOptions,
  type SyllableNuclei,
} from './analysis/speaking-rate';
export {
  analyzeVoice,
  isSilent,
  measureVoice,
  type VoiceAnalysis,
  type VoiceAnalysisOptions,
  type VoiceMeasurements,
} from './analysis/voice-analysis';
export {
  AudioWorkerPool,
  type AudioWorkerPoolOptions,
  resolveAudioWorkerFile,
} from './decode/audio-worker-pool';
export {
  ANALYSIS_SAMPLE_RATE,
  type DecodedAudio,
  type DecodeOptions,
  DEFAULT_MAX_DURATION_MS,
  MAX_CHANNELS,
  REFERENCE_SAMPLE_RATE,
  type ReferenceAnalysis,
} from './decode/decoded-audio';
export {
  type AudioContainer,
  type DeclaredStream,
  type OggCodec,
  sniffAudioType,
  sniffDeclaredStream,
  sniffOggCodec,
} from './decode/sniff';
