import { readFileSync } from 'node:fs';
import type { AppConfig } from '@cw/config';
import { parseEnginesFile, type EngineSpec, type EnginesConfig } from '@cw/engines';

/**
 * The engines this deployment runs: ENGINES_FILE's entries, then the ones the environment names
 * (XTTS_URL registers `xtts`, TTS_ENGINE=festival `festival`, UPSTREAM_OPENAI_URL `openai`). The embedded `espeak` is
 * added by the registry. A file that cannot be read or parsed fails boot with its reason.
 */
export function enginesConfigFrom(config: AppConfig): EnginesConfig {
  const fromFile: EnginesConfig = config.engines.file
    ? parseEnginesFile(readEnginesFile(config.engines.file), config.engines.file)
    : { engines: [], builtinVoices: {} };
  const engines: EngineSpec[] = [...fromFile.engines];
  const defined = new Set(engines.map((e) => e.id));
  if (config.xtts.url && !defined.has('xtts')) {
    engines.push({
      id: 'xtts',
      type: 'xtts',
      url: config.xtts.url,
      timeoutMs: config.xtts.timeoutMs,
      fallback: config.xtts.fallback === 'embedded' ? ['espeak'] : [],
    });
  }
  // TTS_ENGINE=festival runs Debian's festival as the default engine. As with XTTS_URL (whose
  // fallback is XTTS_FALLBACK, none by default) it has no fallback: without the package the
  // service is not ready and answers 503. An ENGINES_FILE entry may give it `fallback: [espeak]`.
  if (config.engine.name.trim().toLowerCase() === 'festival' && !defined.has('festival')) {
    engines.push({ id: 'festival', type: 'festival', fallback: [] });
  }
  const upstream = config.engines.upstreamOpenai;
  if (upstream) {
    // A second `openai` in the file is reported as configured twice by the registry.
    engines.push({
      id: 'openai',
      type: 'openai',
      url: upstream.url,
      key: upstream.apiKey,
      model: upstream.model,
      voices: upstream.voices,
      format: upstream.format,
      timeoutMs: upstream.timeoutMs,
      concurrency: upstream.concurrency,
    });
  }
  return { engines, builtinVoices: fromFile.builtinVoices };
}

function readEnginesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`ENGINES_FILE ${path} cannot be read: ${reason}`);
  }
}
