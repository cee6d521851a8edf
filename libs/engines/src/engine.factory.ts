import type { TtsEngine } from './engine.interface';
import { EspeakEngine, type EspeakEngineOptions } from './espeak/espeak.engine';

/** Settings for every driver; only the chosen driver's entry is read. */
export interface EngineFactoryOptions {
  espeak?: EspeakEngineOptions;
}

type EngineBuilder = (options: EngineFactoryOptions) => TtsEngine;

// Add a driver here (e.g. `xtts`) with its own options key above.
const ENGINE_BUILDERS: Record<string, EngineBuilder> = {
  espeak: (options) => new EspeakEngine(options.espeak),
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINE_BUILDERS);

/** Builds the configured engine (not yet initialized); an unknown name fails listing valid ones. */
export function createEngine(name: string, options: EngineFactoryOptions = {}): TtsEngine {
  const key = name.trim().toLowerCase();
  const build = Object.hasOwn(ENGINE_BUILDERS, key) ? ENGINE_BUILDERS[key] : undefined;
  if (!build) {
    throw new Error(`Unknown TTS engine "${name}"; known engines: ${ENGINE_NAMES.join(', ')}`);
  }
  return build(options);
}
