import { loadSpeex, SpeexModule } from './esm-loader';
import { nativeSoxr, type NativeSoxr } from './native-soxr';
import { nativeSpeex, type NativeSpeex } from './native-speex';
import { concatInt16 } from './pcm';

/** Converts a mono 16-bit stream between sample rates, one chunk at a time. */
export interface Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Returns the output ready so far; the filter holds back a few milliseconds until flush(). */
  process(samples: Int16Array): Int16Array;
  /** Drains the filter; afterwards the total output is round(totalInput * outputRate / inputRate). */
  flush(): Int16Array;
  /** Frees native memory. Idempotent; flush() calls it. Call it when a stream is abandoned. */
  close(): void;
}

export interface ResamplerOptions {
  /** Speex quality 0-10; 7 keeps aliasing inaudible on 22050 -> 8000 for ~8 ms of latency. */
  quality?: number;
  /**
   * The caller feeds whole pieces and flushes soon after (eSpeak's pieces, rendered at a few
   * hundred times real time; a decoded upload): libsoxr where installed, 2.5-8x faster than
   * SpeexDSP with a steeper filter, but it holds back up to ~80 ms of audio until more input or
   * flush(). Audio fed at the pace of speech (a streaming engine) stays on SpeexDSP, which holds
   * back ~8 ms.
   */
  bulk?: boolean;
  /** SpeexDSP's WebAssembly build even where a system library is installed (comparisons). */
  webAssembly?: boolean;
}

/** Speex's VoIP quality for telephony rates: G.711 cannot carry what higher qualities add. */
const VOIP_QUALITY = 3;
const DEFAULT_QUALITY = 7;

/** The quality used for speech converted to `outputRate`: VoIP quality at 8 kHz and below. */
export function resamplerQualityFor(outputRate: number): number {
  return outputRate <= 8000 ? VOIP_QUALITY : DEFAULT_QUALITY;
}

export async function createResampler(
  inputRate: number,
  outputRate: number,
  options: ResamplerOptions = {},
): Promise<Resampler> {
  for (const rate of [inputRate, outputRate]) {
    if (!Number.isInteger(rate) || rate < 1000 || rate > 192000) {
      throw new RangeError(`unsupported sample rate: ${rate}`);
    }
  }
  if (inputRate === outputRate) return new PassthroughResampler(inputRate);
  const quality = options.quality ?? DEFAULT_QUALITY;
  if (!Number.isInteger(quality) || quality < 0 || quality > 10) {
    throw new RangeError(`resampler quality must be 0-10, got ${quality}`);
  }
  const soxr = options.bulk && !options.webAssembly ? nativeSoxr() : null;
  if (soxr) return new NativeSoxrResampler(soxr, inputRate, outputRate);
  // The system's libspeexdsp when installed (same filter, ~1.5x faster), else the WebAssembly build.
  const native = options.webAssembly ? null : nativeSpeex();
  if (native) return new NativeSpeexResampler(native, inputRate, outputRate, quality);
  return new SpeexResampler(await loadSpeex(), inputRate, outputRate, quality);
}

/** Which resampler `createResampler` uses in this thread (for logs and tests). */
export function resamplerBuild(options: Pick<ResamplerOptions, 'bulk'> = {}): string {
  const soxr = options.bulk ? nativeSoxr() : null;
  if (soxr) return `soxr (native, ${soxr.library})`;
  const native = nativeSpeex();
  return native ? `speexdsp (native, ${native.library})` : 'speexdsp (WebAssembly)';
}

class PassthroughResampler implements Resampler {
  constructor(readonly inputRate: number) {}
  get outputRate(): number {
    return this.inputRate;
  }
  process(samples: Int16Array): Int16Array {
    return samples;
  }
  flush(): Int16Array {
    return new Int16Array(0);
  }
  close(): void {}
}

// Input samples handed to Speex per call; bounds the scratch memory in the WASM heap.
const BLOCK = 4096;

// Native state is freed even when a caller drops a resampler without close(), e.g. on a crash path.
const finalizer = new FinalizationRegistry<() => void>((free) => free());

/** A system library's converter state: freed once, by close() or, if dropped, by the finalizer. */
class NativeState {
  private state: unknown;

  constructor(
    owner: object,
    state: unknown,
    private readonly destroy: (state: unknown) => void,
  ) {
    this.state = state;
    finalizer.register(owner, () => destroy(state), this);
  }

  /** The state; null once released. */
  get value(): unknown {
    return this.state;
  }

  release(): void {
    if (!this.state) return;
    finalizer.unregister(this);
    this.destroy(this.state);
    this.state = null;
  }
}

/**
 * What every filter build shares: the running totals, the flush that drains the filter to the
 * exact length ratio, and the closed check. A build supplies the filter calls.
 */
abstract class FilterBase implements Resampler {
  private totalIn = 0;
  private totalOut = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {}

  process(samples: Int16Array): Int16Array {
    this.assertOpen();
    this.totalIn += samples.length;
    return this.counted(this.run(samples));
  }

  flush(): Int16Array {
    this.assertOpen();
    let out = this.counted(this.drain());
    const expected = Math.round((this.totalIn * this.outputRate) / this.inputRate);
    const excess = this.totalOut - expected;
    if (excess > 0) out = out.subarray(0, Math.max(0, out.length - excess));
    this.close();
    return out;
  }

  abstract close(): void;
  protected abstract get open(): boolean;
  /** Filters `samples`, returning all the output they produce. */
  protected abstract run(samples: Int16Array): Int16Array;
  /** The output still inside the filter once the input has ended. */
  protected abstract drain(): Int16Array;

  private counted(out: Int16Array): Int16Array {
    this.totalOut += out.length;
    return out;
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('resampler is closed');
  }
}

/** Both SpeexDSP builds: zeros equal to the input latency push the last samples through. */
abstract class SpeexBase extends FilterBase {
  protected abstract inputLatency(): number;

  protected drain(): Int16Array {
    return this.run(new Int16Array(this.inputLatency()));
  }
}

/** The same contract as SpeexResampler over the system library: no heap to copy through. */
class NativeSpeexResampler extends SpeexBase {
  private readonly native: NativeState;

  constructor(
    private readonly speex: NativeSpeex,
    inputRate: number,
    outputRate: number,
    quality: number,
  ) {
    super(inputRate, outputRate);
    const error: [number] = [0];
    const state = speex.init(inputRate, outputRate, quality, error);
    if (!state) throw new Error(`speex_resampler_init failed with error ${error[0]}`);
    speex.skipZeros(state);
    this.native = new NativeState(this, state, (s) => speex.destroy(s));
  }

  close(): void {
    this.native.release();
  }

  protected get open(): boolean {
    return Boolean(this.native.value);
  }

  protected inputLatency(): number {
    return this.speex.inputLatency(this.native.value);
  }

  protected run(samples: Int16Array): Int16Array {
    if (samples.length === 0) return new Int16Array(0);
    const output = new Int16Array(
      Math.ceil((samples.length * this.outputRate) / this.inputRate) + 64,
    );
    const parts: Int16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const input = samples.subarray(offset);
      const lengths: [number, number] = [input.length, output.length];
      const err = this.speex.process(this.native.value, input, output, lengths);
      if (err !== 0) throw new Error(`speex_resampler_process_int failed with error ${err}`);
      if (lengths[0] === 0 && lengths[1] === 0) throw new Error('speex resampler made no progress');
      parts.push(output.slice(0, lengths[1]));
      offset += lengths[0];
    }
    return parts.length === 1 ? parts[0] : concatInt16(parts);
  }
}

/**
 * The same contract over libsoxr: output lines up with the input (soxr compensates its filter
 * delay), but leaves in blocks, up to about 70 ms of it held back until more input or flush().
 */
class NativeSoxrResampler extends FilterBase {
  private readonly native: NativeState;

  constructor(
    private readonly soxr: NativeSoxr,
    inputRate: number,
    outputRate: number,
  ) {
    super(inputRate, outputRate);
    this.native = new NativeState(this, soxr.create(inputRate, outputRate), (s) => soxr.destroy(s));
  }

  close(): void {
    this.native.release();
  }

  protected get open(): boolean {
    return Boolean(this.native.value);
  }

  protected run(samples: Int16Array): Int16Array {
    return samples.length === 0 ? new Int16Array(0) : this.feed(samples);
  }

  protected drain(): Int16Array {
    return this.feed(null);
  }

  /** Feeds `samples` (null: the end of the input) until all are used and nothing more comes out. */
  private feed(samples: Int16Array | null): Int16Array {
    const inputLength = samples?.length ?? 0;
    // Room for this input's share plus what the filter held back from earlier calls.
    const output = new Int16Array(
      Math.ceil((inputLength * this.outputRate) / this.inputRate) + 2048,
    );
    const parts: Int16Array[] = [];
    let offset = 0;
    for (;;) {
      const input = samples ? samples.subarray(offset) : null;
      const [used, written] = this.soxr.process(this.native.value, input, output);
      if (written > 0) parts.push(output.slice(0, written));
      offset += used;
      const inputLeft = samples !== null && offset < inputLength;
      // A full output buffer may mean more is waiting; otherwise stop once the input is used.
      if (!inputLeft && written < output.length) break;
      if (used === 0 && written === 0) throw new Error('soxr resampler made no progress');
    }
    return parts.length === 1 ? parts[0] : concatInt16(parts);
  }
}

class SpeexResampler extends SpeexBase {
  private state: number;
  private readonly scratch: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly outCapacity: number;

  constructor(
    private readonly speex: SpeexModule,
    inputRate: number,
    outputRate: number,
    quality: number,
  ) {
    super(inputRate, outputRate);
    this.outCapacity = Math.ceil((BLOCK * outputRate) / inputRate) + 64;
    // One allocation: error/in-length/out-length words, then the input and output blocks.
    this.scratch = speex._malloc(12 + BLOCK * 2 + this.outCapacity * 2);
    this.inPtr = this.scratch + 12;
    this.outPtr = this.inPtr + BLOCK * 2;
    this.state = speex._speex_resampler_init(1, inputRate, outputRate, quality, this.scratch);
    if (this.state === 0) {
      const code = speex.HEAP32[this.scratch >> 2];
      speex._free(this.scratch);
      throw new Error(`speex_resampler_init failed with error ${code}`);
    }
    // Drop the filter's leading delay so output sample n lines up with input time n / outputRate.
    speex._speex_resampler_skip_zeros(this.state);
    const { state, scratch } = this;
    finalizer.register(
      this,
      () => {
        speex._speex_resampler_destroy(state);
        speex._free(scratch);
      },
      this,
    );
  }

  close(): void {
    if (this.state === 0) return;
    finalizer.unregister(this);
    this.speex._speex_resampler_destroy(this.state);
    this.speex._free(this.scratch);
    this.state = 0;
  }

  protected get open(): boolean {
    return this.state !== 0;
  }

  protected inputLatency(): number {
    return this.speex._speex_resampler_get_input_latency(this.state);
  }

  protected run(samples: Int16Array): Int16Array {
    const { speex } = this;
    const parts: Int16Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const inLen = Math.min(BLOCK, samples.length - offset);
      // HEAP views are replaced when the WASM memory grows, so they are re-read on every use.
      speex.HEAP16.set(samples.subarray(offset, offset + inLen), this.inPtr >> 1);
      speex.HEAPU32[(this.scratch + 4) >> 2] = inLen;
      speex.HEAPU32[(this.scratch + 8) >> 2] = this.outCapacity;
      const err = speex._speex_resampler_process_int(
        this.state,
        0,
        this.inPtr,
        this.scratch + 4,
        this.outPtr,
        this.scratch + 8,
      );
      if (err !== 0) throw new Error(`speex_resampler_process_int failed with error ${err}`);
      const consumed = speex.HEAPU32[(this.scratch + 4) >> 2];
      const written = speex.HEAPU32[(this.scratch + 8) >> 2];
      if (consumed === 0 && written === 0) throw new Error('speex resampler made no progress');
      const start = this.outPtr >> 1;
      parts.push(speex.HEAP16.slice(start, start + written));
      offset += consumed;
    }
    return parts.length === 1 ? parts[0] : concatInt16(parts);
  }
}
