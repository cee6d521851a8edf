import { alaw, mulaw } from 'alawmulaw';
import { AudioFormat, contentTypeFor } from './audio-format';
import { AudioError, AudioErrorCode } from './audio.exception';
import { Mp3Writer } from './mp3';
import { int16ToBytes } from './pcm';
import { createResampler, Resampler, resamplerQualityFor } from './resampler';

import { wavHeader } from './wav';

export interface AudioEncoderOptions {
  format: AudioFormat;
  /** Rate of the samples passed to encode(), e.g. the engine's native 22050 Hz. */
  inputSampleRate: number;
  /** Rate of the encoded output. */
  outputSampleRate: number;
}

interface EncoderOutput {
  readonly format: AudioFormat;
  readonly contentType: string;
  /** Output sample rate. */
  readonly sampleRate: number;
  /** Samples handed to the codec so far, at the output rate; the exact duration once flushed. */
  readonly samplesOut: number;
  /** Bytes to send before any audio: a streaming WAV header for wav, empty otherwise. */
  header(): Buffer;
  /** Frees native memory without producing output, for a stream abandoned midway. Idempotent. */
  close(): void;
}

/** Resamples and encodes a mono 16-bit stream chunk by chunk, on the calling thread. */
export interface InlineAudioEncoder extends EncoderOutput {
  /** The encoded bytes ready now (possibly none; resampler and mp3 hold back a little). */
  encode(samples: Int16Array): Buffer;
  /** Ends the stream: returns the held-back bytes and frees native memory. */
  flush(): Buffer;
}

/**
 * What a stream feeds: the same steps as `InlineAudioEncoder`, possibly in a worker thread
 * (`AudioEncoderPool`), so results are promised. They settle in call order. `encode` takes the
 * samples: their memory may be moved to the worker, leaving the caller's array empty.
 */
export interface AudioEncoder extends EncoderOutput {
  encode(samples: Int16Array): Promise<Buffer>;
  flush(): Promise<Buffer>;
}

interface SampleCodec {
  encode(samples: Int16Array): Buffer;
  flush(): Buffer;
}

const G711_RATE = 8000;

/** An encoder that works on the calling thread; `AudioEncoderPool` decides when that is fine. */
export async function createAudioEncoder(
  options: AudioEncoderOptions,
): Promise<InlineAudioEncoder> {
  const { format, inputSampleRate, outputSampleRate } = options;
  if ((format === 'mulaw' || format === 'alaw') && outputSampleRate !== G711_RATE) {
    throw new AudioError(
      AudioErrorCode.UnsupportedSampleRate,
      `${format} output is ${G711_RATE} Hz only, not ${outputSampleRate} Hz`,
    );
  }
  // The codec first: it validates the output rate before any native memory is taken.
  const codec = await createCodec(format, outputSampleRate);
  const resampler = await createResampler(inputSampleRate, outputSampleRate, {
    quality: resamplerQualityFor(outputSampleRate),
  });
  return new StreamingAudioEncoder(format, outputSampleRate, resampler, codec);
}

async function createCodec(format: AudioFormat, sampleRate: number): Promise<SampleCodec> {
  switch (format) {
    case 'wav':
    case 'pcm':
      return { encode: int16ToBytes, flush: () => Buffer.alloc(0) };
    case 'mulaw':
      return { encode: (s) => uint8ToBuffer(mulaw.encode(s)), flush: () => Buffer.alloc(0) };
    case 'alaw':
      return { encode: (s) => uint8ToBuffer(alaw.encode(s)), flush: () => Buffer.alloc(0) };
    case 'mp3':
      return Mp3Writer.create(sampleRate);
  }
}

function uint8ToBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class StreamingAudioEncoder implements InlineAudioEncoder {
  readonly contentType: string;
  private sent = 0;
  private finished = false;

  constructor(
    readonly format: AudioFormat,
    readonly sampleRate: number,
    private readonly resampler: Resampler,
    private readonly codec: SampleCodec,
  ) {
    this.contentType = contentTypeFor(format, sampleRate);
  }

  get samplesOut(): number {
    return this.sent;
  }

  header(): Buffer {
    if (this.format !== 'wav') return Buffer.alloc(0);
    return wavHeader({ sampleRate: this.sampleRate, channels: 1, bitsPerSample: 16 });
  }

  encode(samples: Int16Array): Buffer {
    if (this.finished) throw new Error('audio encoder already flushed or closed');
    return this.write(this.resampler.process(samples));
  }

  flush(): Buffer {
    if (this.finished) throw new Error('audio encoder already flushed or closed');
    const tail = this.write(this.resampler.flush());
    this.finished = true;
    return Buffer.concat([tail, this.codec.flush()]);
  }

  close(): void {
    this.finished = true;
    this.resampler.close();
  }

  private write(samples: Int16Array): Buffer {
    this.sent += samples.length;
    return samples.length === 0 ? Buffer.alloc(0) : this.codec.encode(samples);
  }
}

/** The inline encoder behind the promise-returning interface, for formats cheap enough inline. */
export function promising(encoder: InlineAudioEncoder): AudioEncoder {
  return {
    format: encoder.format,
    contentType: encoder.contentType,
    sampleRate: encoder.sampleRate,
    get samplesOut() {
      return encoder.samplesOut;
    },
    header: () => encoder.header(),
    // async: a throw (after flush or close) becomes a rejection, as with the pooled encoder.
    encode: async (samples) => encoder.encode(samples),
    flush: async () => encoder.flush(),
    close: () => encoder.close(),
  };
}
