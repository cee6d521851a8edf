import { AudioError, AudioErrorCode } from './audio.exception';
import { loadLame, Mp3EncoderInstance } from './esm-loader';

/*
 * Mono CBR bitrate per MPEG sample rate. lame silently resamples when the bitrate is too low for
 * the input rate (44100 Hz at 48 kbps comes out at 32000 Hz), so these are the lowest that keep it.
 */
const MP3_BITRATES: Readonly<Record<number, number>> = {
  8000: 32,
  11025: 32,
  12000: 32,
  16000: 32,
  22050: 48,
  24000: 48,
  32000: 64,
  44100: 64,
  48000: 64,
};

export const MP3_SAMPLE_RATES: readonly number[] = Object.keys(MP3_BITRATES).map(Number);

/** The constant bitrate, in kbps, that MP3 output at this rate uses. */
export function mp3BitrateFor(sampleRate: number): number {
  const kbps = MP3_BITRATES[sampleRate];
  if (kbps === undefined) {
    throw new AudioError(
      AudioErrorCode.UnsupportedSampleRate,
      `mp3 supports ${MP3_SAMPLE_RATES.join(', ')} Hz, not ${sampleRate} Hz`,
    );
  }
  return kbps;
}

/** Mono MP3 from 16-bit PCM already at `sampleRate`. */
export class Mp3Writer {
  private constructor(private readonly lame: Mp3EncoderInstance) {}

  static async create(sampleRate: number): Promise<Mp3Writer> {
    const kbps = mp3BitrateFor(sampleRate);
    const { Mp3Encoder } = await loadLame();
    return new Mp3Writer(new Mp3Encoder(1, sampleRate, kbps));
  }

  /** Whole frames ready so far; lame holds back roughly one to two frames of audio. */
  encode(samples: Int16Array): Buffer {
    return samples.length === 0 ? Buffer.alloc(0) : toBuffer(this.lame.encodeBuffer(samples));
  }

  flush(): Buffer {
    return toBuffer(this.lame.flush());
  }
}

// lamejs returns a fresh Int8Array each call, so wrapping it without copying is safe.
function toBuffer(bytes: Int8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
