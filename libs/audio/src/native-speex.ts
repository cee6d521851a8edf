/**
 * SpeexDSP's resampler from the system's libspeexdsp (Debian's `libspeexdsp1`), called with koffi:
 * the same algorithm as the WebAssembly build, about 1.5x faster (22,050 -> 8,000 Hz at quality 3:
 * 1.03 against 1.59 ms per second of audio, one thread, 2026-11-30), the same samples within one
 * step. libspeexdsp keeps no global state, so every thread may share one loaded copy.
 */
import type * as Koffi from 'koffi';
import type { IKoffiLib } from 'koffi';
import { systemLibraryBinding } from '@cw/util';

/** The calls of speex_resampler.h that the resampler makes. */
export interface NativeSpeex {
  /** Returns an opaque state, or null with the error code in `error[0]`. */
  init(inputRate: number, outputRate: number, quality: number, error: [number]): unknown;
  skipZeros(state: unknown): void;
  inputLatency(state: unknown): number;
  /** Consumes from `input`, writes to `output`; `lengths` = [input length, output capacity] in, used out. */
  process(state: unknown, input: Int16Array, output: Int16Array, lengths: [number, number]): number;
  destroy(state: unknown): void;
  readonly library: string;
}

/** The system library, loaded once per thread; null when it is absent or fails to load. */
export const nativeSpeex = systemLibraryBinding('libspeexdsp.so.1', bind);

function bind(koffi: typeof Koffi, lib: IKoffiLib, library: string): NativeSpeex {
  const init = lib.func(
    'void *speex_resampler_init(uint32_t channels, uint32_t inRate, uint32_t outRate, int quality, _Out_ int *error)',
  );
  const skipZeros = lib.func('int speex_resampler_skip_zeros(void *state)');
  const inputLatency = lib.func('int speex_resampler_get_input_latency(void *state)');
  const process = lib.func(
    'int speex_resampler_process_int(void *state, uint32_t channel, const int16_t *input, _Inout_ uint32_t *inputLength, _Out_ int16_t *output, _Inout_ uint32_t *outputLength)',
  );
  const destroy = lib.func('void speex_resampler_destroy(void *state)');
  return {
    library,
    init: (inputRate, outputRate, quality, error) =>
      init(1, inputRate, outputRate, quality, error) as unknown,
    skipZeros: (state) => void skipZeros(state),
    inputLatency: (state) => inputLatency(state) as number,
    process: (state, input, output, lengths) => {
      const inLength = [lengths[0]];
      const outLength = [lengths[1]];
      const status = process(state, 0, input, inLength, output, outLength) as number;
      lengths[0] = inLength[0];
      lengths[1] = outLength[0];
      return status;
    },
    destroy: (state) => void destroy(state),
  };
}
