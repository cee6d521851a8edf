import type { TtsEngine } from './engine.interface';
import { EspeakEngine, type EspeakEngineOptions } from './espeak/espeak.engine';
import { FestivalEngine, type FestivalEngineOptions } from './festival/festival.engine';
import { OpenAiEngine } from './openai/openai.engine';
import type { EngineSpec } from './registry/engines-config';
import { XttsEngine, type XttsEngineOptions } from './xtts/xtts.engine';

/** Settings shared by every engine of a type; an engine's own entry (`EngineSpec`) wins. */
export interface EngineFactoryOptions {
  espeak?: EspeakEngineOptions;
  /** Defaults for `xtts` engines (XTTS_URL, XTTS_TIMEOUT_MS). */
  xtts?: Partial<XttsEngineOptions>;
  /** Debian's festival; absent, the engine boots and reports itself unavailable. */
  festival?: FestivalEngineOptions;
}

/**
 * Builds one engine of a type. `spec` is the engine's entry from ENGINES_FILE or the
 * environment (its id, url, key, ...); a builder that needs none of it may ignore it.
 */
type EngineBuilder = (options: EngineFactoryOptions, spec: EngineSpec) => TtsEngine;

// Add a driver here; the registry then accepts entries of that type.
const ENGINE_BUILDERS: Record<string, EngineBuilder> = {
  espeak: (options) => new EspeakEngine(options.espeak),
  xtts: (options, spec) => {
    const { url: defaultUrl, ...xtts } = options.xtts ?? {};
    const url = (spec.url ?? defaultUrl)?.trim();
    if (!url) {
      throw new Error(`Engine "${spec.id}" (xtts) needs the XTTS server URL: set url or XTTS_URL`);
    }
    return new XttsEngine({
      ...xtts,
      url,
      ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
      ...(spec.stallTimeoutMs ? { stallTimeoutMs: spec.stallTimeoutMs } : {}),
    });
  },
  openai: (_options, spec) => {
    if (!spec.url) throw new Error(`Engine "${spec.id}" (openai) needs url (a base ending in /v1)`);
    return new OpenAiEngine({
      id: spec.id,
      url: spec.url,
      apiKey: spec.key,
      model: spec.model,
      voices: spec.voices,
      responseFormat: spec.format,
      sampleRate: spec.sampleRate,
      timeoutMs: spec.timeoutMs,
      stallTimeoutMs: spec.stallTimeoutMs,
      concurrency: spec.concurrency,
      languages: spec.languages,
    });
  },
  festival: (options) => new FestivalEngine(options.festival),
};

export const ENGINE_TYPES: readonly string[] = Object.keys(ENGINE_BUILDERS);
/** @deprecated the engine types; kept for callers of the single-engine factory. */
export const ENGINE_NAMES = ENGINE_TYPES;

/** Builds one engine (not yet initialized) from its entry; an unknown type lists the known ones. */
export function buildEngine(options: EngineFactoryOptions, spec: EngineSpec): TtsEngine {
  const type = spec.type.trim().toLowerCase();
  const build = Object.hasOwn(ENGINE_BUILDERS, type) ? ENGINE_BUILDERS[type] : undefined;
  if (!build) {
    throw new Error(`Unknown TTS engine "${spec.type}"; known engines: ${ENGINE_TYPES.join(', ')}`);
  }
  return build(options, spec);
}

/** One engine of a type under its type's name (the bench, single-engine tools). */
export function createEngine(name: string, options: EngineFactoryOptions = {}): TtsEngine {
  return buildEngine(options, { id: name.trim().toLowerCase(), type: name });
}
