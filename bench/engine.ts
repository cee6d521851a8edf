import { espeakLibraryChoice } from '@cw/config';
import { benchEngine, BUILTIN_VOICE_PRESETS, EspeakEngine } from '@cw/engines';
import { summarize, type Summary } from './stats';

export interface EngineCase {
  text: string;
  runs: number;
  warmupRuns: number;
}

export interface EngineResult {
  chars: number;
  runs: number;
  firstChunkMs: Summary;
  totalMs: Summary;
  audioMs: number;
  /** Mean total time / audio duration. */
  rtf: number;
  /** Audio duration / mean total time. */
  speed: number;
}

/**
 * The engine alone, in this process, one request at a time: no HTTP, no text normalization or
 * sentence splitting, no resampling or encoding. One thread is enough for sequential requests.
 */
export async function measureEngine(cases: readonly EngineCase[]): Promise<EngineResult[]> {
  // The build the service runs (ESPEAK_LIBRARY), so an A/B of the two builds compares like with like.
  const library = espeakLibraryChoice(process.env.ESPEAK_LIBRARY);
  const engine = new EspeakEngine({ poolSize: 1, library });
  try {
    await engine.init();
    const results: EngineResult[] = [];
    for (const c of cases) {
      const result = await benchEngine(engine, {
        text: c.text,
        runs: c.runs,
        warmupRuns: c.warmupRuns,
        // The service's `default` voice is this preset.
        voice: { id: 'default', conditioning: { ...BUILTIN_VOICE_PRESETS.default } },
      });
      const totalMs = summarize(result.totalMs);
      results.push({
        chars: c.text.length,
        runs: result.runs,
        firstChunkMs: summarize(result.firstChunkMs),
        totalMs,
        audioMs: result.audioMs,
        rtf: totalMs.mean / result.audioMs,
        speed: result.audioMs / totalMs.mean,
      });
    }
    return results;
  } finally {
    await engine.close();
  }
}
