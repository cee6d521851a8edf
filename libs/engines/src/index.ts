export * from './engine.interface';
export {
  buildEngine,
  createEngine,
  ENGINE_NAMES,
  ENGINE_TYPES,
  type EngineFactoryOptions,
} from './engine.factory';
export {
  OPENAI_DEFAULT_MODEL,
  OpenAiEngine,
  parseVoiceList,
  type OpenAiEngineOptions,
} from './openai/openai.engine';
export { WavStreamDecoder } from './openai/wav-stream-decoder';
export { CircuitBreaker, type BreakerState } from './registry/circuit-breaker';
export { EnginePool } from './registry/engine-pool';
export {
  EMBEDDED_ENGINE_ID,
  EngineRegistry,
  type ChainStep,
  type EngineEvents,
  type EngineStatus,
  type RegisteredEngine,
  type VoiceBinding,
} from './registry/engine-registry';
export {
  parseEnginesFile,
  validateEngines,
  type BuiltinVoiceMapping,
  type EngineSpec,
  type EnginesConfig,
} from './registry/engines-config';
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
  ipaToEspeak,
  toEspeakPhonemes,
  UnsupportedPhonemeError,
  xsampaToIpa,
} from './espeak/espeak-phonemes';
