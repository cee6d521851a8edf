import type { TtsEngine } from './engine.interface';
import { EspeakEngine, type EspeakEngineOptions } from './espeak/espeak.engine';
import { FallbackEngine } from './fallback/fallback.engine';
import { FestivalEngine, type FestivalEngineOptions } from './festival/festival.engine';
import { XttsEngine, type XttsEngineOptions } from './xtts/xtts.engine';

/** Settings for every driver; only the chosen driver's entry is read. */
export interface EngineFactoryOptions {
  espeak?: EspeakEngineOptions;
  /** `url` is required when the `xtts` engine is chosen. */
  xtts?: Partial<XttsEngineOptions>;
  /** Debian's festival; absent, the engine boots and reports itself unavailable. */
  festival?: FestivalEngineOptions;
  /**
   * What serves speech when a remote engine is down: `embedded` wraps it in a FallbackEngine
   * with eSpeak (built from the `espeak` options), `none` (the default) serves it alone.
   */
  fallback?: 'embedded' | 'none';
  /** See `FallbackEngineOptions.cooldownMs`. */
  fallbackCooldownMs?: number;
}

type EngineBuilder = (options: EngineFactoryOptions) => TtsEngine;

// Add a driver here with its own options key above.
const ENGINE_BUILDERS: Record<string, EngineBuilder> = {
  espeak: (options) => new EspeakEngine(options.espeak),
  xtts: (options) => {
    const { url, ...xtts } = options.xtts ?? {};
    if (!url?.trim()) {
      throw new Error('TTS engine "xtts" needs the XTTS server URL: set XTTS_URL');
    }
    return withFallback(new XttsEngine({ ...xtts, url: url.trim() }), options);
  },
  festival: (options) => new FestivalEngine(options.festival),
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

function withFallback(engine: TtsEngine, options: EngineFactoryOptions): TtsEngine {
  const fallback = options.fallback ?? 'none';
  switch (fallback) {
    case 'none':
      return engine;
    case 'embedded':
      return new FallbackEngine(engine, new EspeakEngine(options.espeak), {
        cooldownMs: options.fallbackCooldownMs,
      });
  }
  // Reached only when an unchecked string gets past the type.
  throw new Error(`Unknown engine fallback "${String(fallback)}"; use embedded or none`);
}
