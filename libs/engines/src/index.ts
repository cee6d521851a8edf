export * from './engine.interface';
export { createEngine, ENGINE_NAMES, type EngineFactoryOptions } from './engine.factory';
export { EspeakEngine, type EspeakEngineOptions } from './espeak/espeak.engine';
export type { EspeakVoiceInfo, SynthStats as EspeakTaskStats } from './espeak/espeak.protocol';
export {
  BUILTIN_VOICE_PRESETS,
  parseEspeakConditioning,
  type EspeakConditioning,
} from './espeak/voice-presets';
export { engineConditioning, portableConditioning } from './voice-conditioning';
export {
  benchEngine,
  type EngineBenchOptions,
  type EngineBenchResult,
} from './espeak/bench-engine';
export { XttsEngine, type XttsEngineOptions } from './xtts/xtts.engine';
export {
  parseXttsConditioning,
  toXttsLanguage,
  XTTS_LANGUAGES,
  XTTS_SAMPLE_RATE,
  type XttsConditioning,
} from './xtts/xtts.protocol';
export {
  FESTIVAL_DEFAULT_VOICE,
  FestivalEngine,
  type FestivalEngineOptions,
} from './festival/festival.engine';
export {
  FallbackEngine,
  type FallbackEngineHealth,
  type FallbackEngineOptions,
} from './fallback/fallback.engine';
export {
  ipaToEspeak,
  toEspeakPhonemes,
  UnsupportedPhonemeError,
  xsampaToIpa,
} from './espeak/espeak-phonemes';
