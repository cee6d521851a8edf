import { parse as parseYaml } from 'yaml';

/**
 * One configured engine, as read from ENGINES_FILE (snake_case keys there) or made from the
 * environment. `type` picks the builder in ENGINE_BUILDERS; the other fields are read by the
 * builders that need them.
 */
export interface EngineSpec {
  id: string;
  type: string;
  /** One server (an OpenAI-compatible base ending in /v1, an XTTS server). */
  url?: string;
  /** Several servers of one engine: they share its load. */
  urls?: string[];
  /** API key sent to the server; never shown. */
  key?: string;
  model?: string;
  voices?: string[];
  format?: 'pcm' | 'wav';
  sampleRate?: number;
  timeoutMs?: number;
  stallTimeoutMs?: number;
  /** Requests one server serves at once. */
  concurrency?: number;
  /** Engine ids tried, in order, when this one cannot answer before its first audio. */
  fallback?: string[];
  breakerFailures?: number;
  breakerCooldownMs?: number;
  languages?: string[];
}

/** A built-in voice spoken by another engine: `naija_female` → kokoro's `af_heart`. */
export interface BuiltinVoiceMapping {
  engine: string;
  voice: string;
}

export interface EnginesConfig {
  engines: EngineSpec[];
  builtinVoices: Record<string, BuiltinVoiceMapping>;
}

const ID = /^[a-z][a-z0-9_-]{0,31}$/;

const FIELDS: Record<string, (spec: EngineSpec, value: unknown, where: string) => void> = {
  id: () => undefined,
  type: () => undefined,
  url: (s, v, w) => (s.url = url(v, `${w}.url`)),
  urls: (s, v, w) => {
    if (!Array.isArray(v) || v.length === 0) throw new Error(`${w}.urls must be a list of URLs`);
    s.urls = v.map((u, i) => url(u, `${w}.urls[${i}]`));
  },
  key: (s, v, w) => (s.key = str(v, `${w}.key`)),
  model: (s, v, w) => (s.model = str(v, `${w}.model`)),
  voices: (s, v, w) => (s.voices = strList(v, `${w}.voices`)),
  format: (s, v, w) => {
    if (v !== 'pcm' && v !== 'wav') throw new Error(`${w}.format must be pcm or wav`);
    s.format = v;
  },
  sample_rate: (s, v, w) => (s.sampleRate = int(v, `${w}.sample_rate`, 8000, 48000)),
  timeout_ms: (s, v, w) => (s.timeoutMs = int(v, `${w}.timeout_ms`, 100, 120_000)),
  stall_timeout_ms: (s, v, w) => (s.stallTimeoutMs = int(v, `${w}.stall_timeout_ms`, 100, 300_000)),
  concurrency: (s, v, w) => (s.concurrency = int(v, `${w}.concurrency`, 1, 256)),
  fallback: (s, v, w) => (s.fallback = strList(v, `${w}.fallback`)),
  breaker_failures: (s, v, w) => (s.breakerFailures = int(v, `${w}.breaker_failures`, 1, 1000)),
  breaker_cooldown_ms: (s, v, w) =>
    (s.breakerCooldownMs = int(v, `${w}.breaker_cooldown_ms`, 100, 3_600_000)),
  languages: (s, v, w) => (s.languages = strList(v, `${w}.languages`)),
};

/**
 * Reads ENGINES_FILE's text (YAML, of which JSON is a subset): `engines:` a list of entries,
 * `builtin_voices:` an optional map. Every mistake is an Error naming the file and the field.
 */
export function parseEnginesFile(text: string, file: string): EnginesConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new Error(`ENGINES_FILE ${file} is not valid JSON or YAML: ${String(error)}`);
  }
  if (!isObject(doc)) {
    throw new Error(`ENGINES_FILE ${file} must hold an object with an "engines" list`);
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'engines' && key !== 'builtin_voices') {
      throw new Error(`ENGINES_FILE ${file}: unknown key "${key}" (use engines, builtin_voices)`);
    }
  }
  const list = doc.engines ?? [];
  if (!Array.isArray(list)) throw new Error(`ENGINES_FILE ${file}: "engines" must be a list`);
  const engines = list.map((entry, i) => parseEntry(entry, `${file}: engines[${i}]`));
  const builtinVoices: Record<string, BuiltinVoiceMapping> = {};
  const mapped = doc.builtin_voices ?? {};
  if (!isObject(mapped)) throw new Error(`ENGINES_FILE ${file}: "builtin_voices" must be a map`);
  for (const [voiceId, value] of Object.entries(mapped)) {
    const where = `${file}: builtin_voices.${voiceId}`;
    if (!isObject(value) || typeof value.engine !== 'string' || typeof value.voice !== 'string') {
      throw new Error(`${where} must be {engine: <engine id>, voice: <that engine's voice>}`);
    }
    builtinVoices[voiceId] = { engine: value.engine, voice: value.voice };
  }
  return { engines, builtinVoices };
}

function parseEntry(entry: unknown, where: string): EngineSpec {
  if (!isObject(entry)) throw new Error(`${where} must be an object with id and type`);
  const { id, type } = entry;
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new Error(`${where}.id must be a lower-case name (a-z, 0-9, _ or -, up to 32)`);
  }
  if (typeof type !== 'string' || type.trim() === '') throw new Error(`${where}.type is required`);
  const at = `${where} (${id})`;
  const spec: EngineSpec = { id, type: type.trim().toLowerCase() };
  for (const [key, value] of Object.entries(entry)) {
    const read = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
    if (!read) {
      throw new Error(`${at}: unknown field "${key}"; known: ${Object.keys(FIELDS).join(', ')}`);
    }
    read(spec, value, at);
  }
  if (spec.url && spec.urls) throw new Error(`${at}: give url or urls, not both`);
  return spec;
}

/**
 * Checks the whole set: ids unique, every type known, the fields each type needs, fallbacks and
 * built-in mappings naming engines that exist. `espeak` is always there.
 */
export function validateEngines(config: EnginesConfig, knownTypes: readonly string[]): void {
  const ids = new Set<string>();
  for (const spec of config.engines) {
    if (ids.has(spec.id)) throw new Error(`Engine id "${spec.id}" is configured twice`);
    ids.add(spec.id);
    if (!knownTypes.includes(spec.type)) {
      throw new Error(
        `Engine "${spec.id}" has unknown type "${spec.type}"; known types: ${knownTypes.join(', ')}`,
      );
    }
    if ((spec.type === 'openai' || spec.type === 'xtts') && !spec.url && !spec.urls) {
      throw new Error(`Engine "${spec.id}" (${spec.type}) needs url (or urls)`);
    }
  }
  for (const spec of config.engines) {
    for (const next of spec.fallback ?? []) {
      if (!ids.has(next)) {
        throw new Error(
          `Engine "${spec.id}" falls back to "${next}", which is not configured; engines: ${[...ids].join(', ')}`,
        );
      }
      if (next === spec.id) throw new Error(`Engine "${spec.id}" falls back to itself`);
    }
  }
  for (const [voiceId, mapping] of Object.entries(config.builtinVoices)) {
    if (!ids.has(mapping.engine)) {
      throw new Error(
        `Built-in voice "${voiceId}" is mapped to engine "${mapping.engine}", which is not configured; engines: ${[...ids].join(', ')}`,
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${where} must be a non-empty string`);
  }
  return value.trim();
}

function strList(value: unknown, where: string): string[] {
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new Error(`${where} must be a list of names`);
  }
  return (value as string[]).map((v) => v.trim());
}

function int(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${where} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function url(value: unknown, where: string): string {
  const text = str(value, where);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new Error(`${where} is not a URL: "${text}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${where} must be an http(s) URL`);
  }
  return text;
}
