export * from './engine.interface';
export { createEngine, ENGINE_NAMES, type EngineFactoryOptions } from './engine.factory';
export { EspeakEngine, type EspeakEngineOptions } from './espeak/espeak.engine';
export type { EspeakVoiceInfo, SynthStats as EspeakTaskStats } from './espeak/espeak.protocol';
export {
  BUILTIN_VOICE_PRESETS,
  parseEspeakConditioning,
  type EspeakConditioning,
} from './espeak/voice-presets';
export {
  benchEngine,
  type EngineBenchOptions,
  type EngineBenchResult,
} from './espeak/bench-engine';
