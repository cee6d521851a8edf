import { readFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

// Both packages are ESM-only, and inline encoding (createAudioEncoder) also runs on the main
// thread, where unit and e2e specs run it inside Jest's VM sandbox: there a real import() (importEsm from @cw/util) throws "A dynamic
// import callback was invoked without --experimental-vm-modules", so their published script
// files are evaluated instead.

export interface Mp3EncoderInstance {
  encodeBuffer(left: Int16Array, right?: Int16Array): Int8Array;
  flush(): Int8Array;
}
export interface LameModule {
  Mp3Encoder: new (channels: number, sampleRate: number, kbps: number) => Mp3EncoderInstance;
}

/** The parts of the Emscripten module (SpeexDSP's resampler API) that we call. */
export interface SpeexModule {
  HEAP16: Int16Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _speex_resampler_init(
    channels: number,
    inRate: number,
    outRate: number,
    quality: number,
    errPtr: number,
  ): number;
  _speex_resampler_destroy(state: number): void;
  _speex_resampler_skip_zeros(state: number): number;
  _speex_resampler_get_input_latency(state: number): number;
  _speex_resampler_process_int(
    state: number,
    channel: number,
    inPtr: number,
    inLenPtr: number,
    outPtr: number,
    outLenPtr: number,
  ): number;
}

let lame: Promise<LameModule> | undefined;
let speex: Promise<SpeexModule> | undefined;

export function loadLame(): Promise<LameModule> {
  lame ??= Promise.resolve().then(() => {
    // The package's "require" export is its IIFE build, which declares a global `lamejs`.
    const source = readFileSync(require.resolve('@breezystack/lamejs'), 'utf8');
    const mod = evaluate<LameModule>(`${source}\nreturn lamejs;`, {});
    if (typeof mod?.Mp3Encoder !== 'function') {
      throw new Error('@breezystack/lamejs: IIFE build did not define Mp3Encoder');
    }
    return mod;
  });
  lame.catch(() => (lame = undefined));
  return lame;
}

export function loadSpeex(): Promise<SpeexModule> {
  speex ??= Promise.resolve().then(() => {
    const path = require.resolve('@echogarden/speex-resampler-wasm');
    // Emscripten ES-module glue: its only module-only syntax is import.meta.url, one import() of
    // node:module and the default export, so those are swapped for parameters and a return.
    const source = readFileSync(path, 'utf8')
      .replaceAll('import.meta.url', '__moduleUrl')
      .replace('import("module")', 'Promise.resolve(__nodeModule)')
      .replace(/export default (\w+);\s*$/, 'return $1;');
    if (/\bimport\s*\(|import\.meta|^export /m.test(source)) {
      throw new Error(`${path}: unexpected module syntax; the loader needs updating`);
    }
    const factory = evaluate<(options?: object) => Promise<SpeexModule>>(source, {
      __moduleUrl: pathToFileURL(path).href,
      __nodeModule: nodeModule,
    });
    return factory();
  });
  speex.catch(() => (speex = undefined));
  return speex;
}

function evaluate<T>(body: string, scope: Record<string, unknown>): T {
  // Evaluating trusted package files read from node_modules; `new Function` keeps them in our realm.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function(...Object.keys(scope), body) as (...args: unknown[]) => T;
  return fn(...Object.values(scope));
}
