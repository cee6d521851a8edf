/**
 * Pool thread for EspeakEngine: one emscripten eSpeak NG instance per thread, loaded and warmed
 * before piscina marks the thread ready, then one synthesis per task.
 */
import { threadId, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createResampler, type Resampler, resamplerQualityFor } from '@cw/audio';
import { importEsm } from '@cw/util';
import { ChunkAssembler, prepareEspeakInput } from './espeak-text';
import { ChunkBatcher } from './chunk-batcher';
import { loadNativeEspeak, type EspeakBackend, type EspeakInstance } from './native-espeak';
import {
  CANCEL_SLOT,
  ESPEAK_SAMPLE_RATE,
  FAILED_SLOT,
  SETTLED_SLOT,
  type EspeakDescription,
  type EspeakTask,
  type EspeakVoiceRef,
  type EspeakWorkerData,
  type StreamMessage,
  type SynthStats,
  type SynthTask,
} from './espeak.protocol';

interface EspeakModule {
  eSpeakNGWorker: new () => EspeakInstance;
  FS: { readdir(path: string): string[] };
}

/** Audio gathered into one message after a piece's first chunk (see ChunkBatcher). */
const LATER_CHUNK_MS = 500;
const VARIANTS_DIR = '/usr/share/espeak-ng-data/voices/!v';
const EMBEDDED_PACKAGE = '@echogarden/espeak-ng-emscripten';
const WARM_TEXT = 'Hello, thank you for calling.';

function voiceName(ref: EspeakVoiceRef): string {
  return ref.variant ? `${ref.voice}+${ref.variant}` : ref.voice;
}

async function loadEmbedded(): Promise<EspeakBackend> {
  const entry = pathToFileURL(require.resolve(EMBEDDED_PACKAGE)).href;
  const { default: createModule } = await importEsm<{ default: () => Promise<EspeakModule> }>(
    entry,
  );
  const module = await createModule();
  return {
    instance: new module.eSpeakNGWorker(),
    // Variants are not in eSpeak's voice list; they are the files of voices/!v.
    variants: () => module.FS.readdir(VARIANTS_DIR),
    build: `espeak-ng (emscripten, ${EMBEDDED_PACKAGE} ${packageVersion(EMBEDDED_PACKAGE)})`,
  };
}

/**
 * The system's libespeak-ng when the engine found one (about four times faster), else the
 * embedded build; a library that will not load falls back to the embedded build and says why.
 */
async function loadEspeak(library: string | undefined): Promise<EspeakBackend> {
  if (!library) return loadEmbedded();
  try {
    return loadNativeEspeak(library);
  } catch (error) {
    const backend = await loadEmbedded();
    const why = error instanceof Error ? error.message : String(error);
    return { ...backend, build: `${backend.build}; ${library} did not load: ${why}` };
  }
}

function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${name}/package.json`) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function warm(instance: EspeakInstance, voices: EspeakVoiceRef[]): void {
  // A voice's first use loads its dictionary and costs 150-500 ms; pay that before serving calls.
  for (const ref of voices) {
    if (instance.set_voice(voiceName(ref)) !== 0) {
      throw new Error(`eSpeak has no voice "${voiceName(ref)}"`);
    }
    instance.synthesize(WARM_TEXT, () => 0);
  }
}

/**
 * Resampling happens here, beside the engine, so the main thread only moves finished samples: a
 * converter per task, flushed at the end of the piece (pieces are separated by silence anyway).
 * A piece renders in a few milliseconds, so the converter may hold audio back until its end
 * (`bulk`: libsoxr where installed).
 */
function converterFor(sampleRate: number): Promise<Resampler> {
  return createResampler(ESPEAK_SAMPLE_RATE, sampleRate, {
    quality: resamplerQualityFor(sampleRate),
    bulk: true,
  });
}

/** The voice this thread's eSpeak instance has selected. */
const current: { voice?: string } = {};

async function synthesize(instance: EspeakInstance, task: SynthTask): Promise<SynthStats> {
  const { port } = task;
  const cancel = new Int32Array(task.cancel);
  const started = performance.now();
  const stats: SynthStats = { threadId, aborted: false, samples: 0, chunks: 0 };
  const post = (message: StreamMessage): void => {
    if (message.type !== 'error' && message.samples) {
      port.postMessage(message, [message.samples.buffer as ArrayBuffer]);
    } else {
      port.postMessage(message);
    }
  };

  if (Atomics.load(cancel, CANCEL_SLOT) !== 0) {
    stats.aborted = true;
    return stats;
  }
  // Selecting a voice re-reads its files from eSpeak's virtual file system, a fixed cost per
  // piece that short pieces feel; the thread keeps the voice it selected last.
  const name = voiceName(task.voice);
  if (name !== current.voice) {
    current.voice = undefined;
    // eSpeak keeps the previous voice when a name is unknown, so the return code must be checked.
    if (instance.set_voice(name) !== 0) {
      post({ type: 'error', message: `eSpeak has no voice "${name}"` });
      return stats;
    }
    current.voice = name;
  }
  instance.rate = task.rate;
  instance.pitch = task.pitch;
  instance.range = task.pitchRange;

  const converter = await converterFor(task.sampleRate);
  const prepared = prepareEspeakInput(task.text, task.spans);
  const assembler = new ChunkAssembler(prepared, ESPEAK_SAMPLE_RATE);
  const batcher = new ChunkBatcher((task.sampleRate * LATER_CHUNK_MS) / 1000, (chunk) => {
    stats.chunks += 1;
    post({ type: 'chunk', samples: chunk.samples, words: chunk.words });
  });
  const send = (chunks: ReturnType<ChunkAssembler['push']>): void => {
    for (const chunk of chunks) {
      const samples = converter.process(chunk.samples);
      stats.samples += samples.length;
      batcher.push({ samples, words: chunk.words.length > 0 ? chunk.words : undefined });
    }
  };

  // Set inside the callback, so a holder object keeps TypeScript from narrowing it to null.
  const outcome: { failure?: Error } = {};
  instance.synthesize(prepared.input, (samples, events) => {
    // The engine flips the flag from the main thread; returning 1 makes eSpeak stop right here.
    if (Atomics.load(cancel, CANCEL_SLOT) !== 0) {
      stats.aborted = true;
      return 1;
    }
    try {
      send(assembler.push(samples, events));
      return 0;
    } catch (error) {
      // Throwing through the wasm frames would leave eSpeak mid-utterance; stop it cleanly instead.
      outcome.failure = error instanceof Error ? error : new Error(String(error));
      return 1;
    }
  });

  if (outcome.failure) {
    converter.close();
    batcher.flush();
    post({ type: 'error', message: outcome.failure.message });
  } else if (stats.aborted) {
    converter.close();
  } else {
    send(assembler.finish());
    const tail = converter.flush();
    stats.samples += tail.length;
    batcher.push({ samples: tail });
    // Every message wakes the main thread: the last audio travels with the end.
    post({ type: 'end', renderMs: performance.now() - started, ...batcher.take() });
  }
  return stats;
}

function describe(backend: EspeakBackend, warmUpMs: number): EspeakDescription {
  return {
    voices: backend.instance.list_voices(),
    variants: backend.variants().filter((name) => name !== '.' && name !== '..'),
    sampleRate: backend.instance.samplerate,
    warmUpMs,
    build: backend.build,
  };
}

async function start(): Promise<(task: EspeakTask) => Promise<SynthStats> | EspeakDescription> {
  const data = workerData as EspeakWorkerData;
  const readiness = new Int32Array(data.readiness);
  try {
    const started = performance.now();
    const backend = await loadEspeak(data.library);
    const { instance } = backend;
    warm(instance, data.warmVoices);
    current.voice = undefined;
    // Load the resampler's WASM before the first call, so no caller pays for it.
    (await converterFor(8000)).close();
    const description = describe(backend, performance.now() - started);
    Atomics.add(readiness, SETTLED_SLOT, 1);
    Atomics.notify(readiness, SETTLED_SLOT);
    return (task) => (task.kind === 'synth' ? synthesize(instance, task) : description);
  } catch (error) {
    // piscina swallows a rejected handler, so report the failure through the shared slots and
    // answer every task with it.
    Atomics.add(readiness, FAILED_SLOT, 1);
    Atomics.add(readiness, SETTLED_SLOT, 1);
    Atomics.notify(readiness, SETTLED_SLOT);
    return () => {
      throw error;
    };
  }
}

// piscina awaits this before it marks the thread ready, so no task reaches a cold instance.
export default start();
