import { performance } from 'node:perf_hooks';
import type { EngineVoice, TtsEngine } from '../engine.interface';
import { BUILTIN_VOICE_PRESETS } from './voice-presets';

export interface EngineBenchOptions {
  text: string;
  runs: number;
  /** Untimed runs first, so JIT and caches are warm; default 1. */
  warmupRuns?: number;
  voice?: EngineVoice;
  language?: string;
  speed?: number;
}

export interface TimingSummary {
  min: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface EngineBenchResult {
  runs: number;
  /** Per run: request start to first chunk, in ms. */
  firstChunkMs: number[];
  /** Per run: request start to the last chunk, in ms. */
  totalMs: number[];
  firstChunk: TimingSummary;
  total: TimingSummary;
  /** Length of the audio one run produces, in ms. */
  audioMs: number;
  /** Audio length divided by mean total time (how many times faster than real time). */
  realTimeFactor: number;
}

/** Times the engine alone (no HTTP, no encoding), one request at a time; `engine` must be ready. */
export async function benchEngine(
  engine: TtsEngine,
  options: EngineBenchOptions,
): Promise<EngineBenchResult> {
  const request = {
    text: options.text,
    language: options.language ?? 'en',
    voice: options.voice ?? { id: 'default', conditioning: { ...BUILTIN_VOICE_PRESETS.default } },
    speed: options.speed ?? 1,
  };
  const firstChunkMs: number[] = [];
  const totalMs: number[] = [];
  let audioMs = 0;
  const warmupRuns = options.warmupRuns ?? 1;

  for (let run = 0; run < warmupRuns + options.runs; run++) {
    const started = performance.now();
    let first = -1;
    let samples = 0;
    let sampleRate = engine.capabilities.nativeSampleRate;
    for await (const chunk of engine.synthesize(request, new AbortController().signal)) {
      if (first < 0) first = performance.now() - started;
      samples += chunk.samples.length;
      sampleRate = chunk.sampleRate;
    }
    if (run < warmupRuns) continue;
    firstChunkMs.push(first);
    totalMs.push(performance.now() - started);
    audioMs = (samples * 1000) / sampleRate;
  }

  const total = summarize(totalMs);
  return {
    runs: options.runs,
    firstChunkMs,
    totalMs,
    firstChunk: summarize(firstChunkMs),
    total,
    audioMs,
    realTimeFactor: total.mean > 0 ? audioMs / total.mean : 0,
  };
}

function summarize(values: number[]): TimingSummary {
  if (values.length === 0) return { min: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    min: sorted[0],
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
  };
}
