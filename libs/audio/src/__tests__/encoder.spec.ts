import { alaw, mulaw } from 'alawmulaw';
import {
  AUDIO_FORMATS,
  AudioErrorCode,
  concatInt16,
  createAudioEncoder,
  createResampler,
  MP3_SAMPLE_RATES,
  mp3BitrateFor,
  parseWav,
  SAMPLE_RATES,
  floatToInt16,
} from '@cw/audio';
import { encodeWhole } from './encode-whole';
import { randomChunks, sine, snrDb, toneFrequency } from './signal';

const ESPEAK_RATE = 22050;

interface MpegFrame {
  sampleRate: number;
  kbps: number;
  mono: boolean;
  bytes: number;
  samples: number;
}

const MPEG_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};
const L3_KBPS_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const L3_KBPS_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Walks an MP3 stream frame by frame, failing on anything that is not a Layer III frame. */
function mpegFrames(mp3: Buffer): MpegFrame[] {
  const frames: MpegFrame[] = [];
  for (let at = 0; at < mp3.length;) {
    const sync = mp3[at] === 0xff && (mp3[at + 1] & 0xe0) === 0xe0;
    const version = (mp3[at + 1] >> 3) & 3;
    const layer = (mp3[at + 1] >> 1) & 3;
    if (!sync || layer !== 1 || !(version in MPEG_RATES)) {
      throw new Error(`no Layer III frame header at byte ${at}`);
    }
    const v1 = version === 3;
    const kbps = (v1 ? L3_KBPS_V1 : L3_KBPS_V2)[mp3[at + 2] >> 4];
    const sampleRate = MPEG_RATES[version][(mp3[at + 2] >> 2) & 3];
    const padding = (mp3[at + 2] >> 1) & 1;
    const bytes = Math.floor(((v1 ? 144000 : 72000) * kbps) / sampleRate) + padding;
    frames.push({
      sampleRate,
      kbps,
      mono: mp3[at + 3] >> 6 === 3,
      bytes,
      samples: v1 ? 1152 : 576,
    });
    at += bytes;
  }
  return frames;
}

async function encodeInChunks(
  format: (typeof AUDIO_FORMATS)[number],
  input: Int16Array,
  outputSampleRate: number,
  maxChunk: number,
): Promise<{ header: Buffer; body: Buffer; chunks: Buffer[]; samplesOut: number }> {
  const encoder = await createAudioEncoder({
    format,
    inputSampleRate: ESPEAK_RATE,
    outputSampleRate,
  });
  const chunks = randomChunks(input, maxChunk).map((c) => encoder.encode(c));
  const body = Buffer.concat([...chunks, encoder.flush()]);
  return { header: encoder.header(), body, chunks, samplesOut: encoder.samplesOut };
}

describe('createAudioEncoder', () => {
  it('describes its output', async () => {
    const pcm = await createAudioEncoder({
      format: 'pcm',
      inputSampleRate: ESPEAK_RATE,
      outputSampleRate: 16000,
    });
    expect(pcm).toMatchObject({
      format: 'pcm',
      sampleRate: 16000,
      contentType: 'audio/L16;rate=16000',
    });
    expect(pcm.header()).toHaveLength(0);
    const mp3 = await createAudioEncoder({
      format: 'mp3',
      inputSampleRate: ESPEAK_RATE,
      outputSampleRate: 24000,
    });
    expect(mp3).toMatchObject({ sampleRate: 24000, contentType: 'audio/mpeg' });
    pcm.close();
    mp3.close();
  });

  it('streams WAV as a 0xFFFFFFFF header followed by little-endian PCM', async () => {
    const input = sine(440, ESPEAK_RATE, 1);
    const { header, body, samplesOut } = await encodeInChunks('wav', input, 16000, 500);
    expect(header).toHaveLength(44);
    expect(header.readUInt32LE(4)).toBe(0xffffffff);
    expect(header.readUInt32LE(40)).toBe(0xffffffff);

    const wav = parseWav(Buffer.concat([header, body]));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.dataBytes).toBe(body.length);
    expect(samplesOut).toBe(16000);
    expect(toneFrequency(floatToInt16(wav.samples[0]), 16000)).toBeCloseTo(440, 0);
  });

  it('emits audio as it goes, holding back only the resampler latency', async () => {
    const encoder = await createAudioEncoder({
      format: 'pcm',
      inputSampleRate: ESPEAK_RATE,
      outputSampleRate: 8000,
    });
    let bytes = 0;
    for (const chunk of randomChunks(sine(440, ESPEAK_RATE, 0.2), 441))
      bytes += encoder.encode(chunk).length;
    // 200 ms at 8 kHz is 1600 samples; all but ~10 ms must be out before flush().
    expect(bytes / 2).toBeGreaterThan(1600 - 80);
    expect((bytes + encoder.flush().length) / 2).toBe(1600);
  });

  it.each(['mulaw', 'alaw'] as const)('encodes %s at one byte per 8 kHz sample', async (format) => {
    const input = sine(440, ESPEAK_RATE, 1, 12000);
    const encoded = await encodeWhole(format, input, ESPEAK_RATE, 8000);
    expect(encoded).toHaveLength(8000);

    const resampler = await createResampler(ESPEAK_RATE, 8000);
    const reference = concatInt16([resampler.process(input), resampler.flush()]);
    const decoded = (format === 'mulaw' ? mulaw : alaw).decode(encoded);
    // G.711 keeps roughly 38 dB SNR on a loud tone; 30 dB leaves room while catching a wrong codec.
    expect(snrDb(reference, decoded)).toBeGreaterThan(30);
  });

  it.each(['mulaw', 'alaw'] as const)('refuses %s at any rate but 8000 Hz', async (format) => {
    await expect(
      createAudioEncoder({ format, inputSampleRate: ESPEAK_RATE, outputSampleRate: 16000 }),
    ).rejects.toMatchObject({ code: AudioErrorCode.UnsupportedSampleRate });
  });

  it.each([...MP3_SAMPLE_RATES])('writes valid mono MP3 frames at %i Hz', async (rate) => {
    const input = sine(440, ESPEAK_RATE, 1);
    const mp3 = await encodeWhole('mp3', input, ESPEAK_RATE, rate);
    expect(mp3[0]).toBe(0xff);
    expect(mp3[1] & 0xe0).toBe(0xe0);

    const frames = mpegFrames(mp3);
    for (const frame of frames) {
      expect(frame).toMatchObject({ sampleRate: rate, kbps: mp3BitrateFor(rate), mono: true });
    }
    const frameSamples = frames.reduce((n, f) => n + f.samples, 0);
    expect(frameSamples).toBeGreaterThanOrEqual(rate);
    // lame adds its encoder delay and padding, but no more than a few frames.
    expect(frameSamples).toBeLessThan(rate + 4 * frames[0].samples);
  });

  it('refuses MP3 at rates MPEG audio does not have', async () => {
    await expect(
      createAudioEncoder({ format: 'mp3', inputSampleRate: ESPEAK_RATE, outputSampleRate: 22000 }),
    ).rejects.toMatchObject({ code: AudioErrorCode.UnsupportedSampleRate });
  });

  it('writes MP3 bit for bit the same whether fed in small chunks or at once', async () => {
    const input = sine(440, ESPEAK_RATE, 1.5);
    const whole = await encodeWhole('mp3', input, ESPEAK_RATE, 22050);
    const { body, chunks } = await encodeInChunks('mp3', input, 22050, 200);
    expect(body.equals(whole)).toBe(true);
    // Frames go out during the stream, not only at flush().
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(whole.length / 2);
  });

  it.each(
    SAMPLE_RATES.flatMap((rate) => AUDIO_FORMATS.map((format) => [format, rate] as const)).filter(
      ([format, rate]) => rate === 8000 || (format !== 'mulaw' && format !== 'alaw'),
    ),
  )(
    '%s at %i Hz: many small chunks give the same length as one whole encode',
    async (format, rate) => {
      const input = sine(440, ESPEAK_RATE, 0.7);
      const whole = await encodeWhole(format, input, ESPEAK_RATE, rate);
      const { header, body } = await encodeInChunks(format, input, rate, 97);
      const wholeBody = format === 'wav' ? whole.subarray(44) : whole;
      expect(body).toHaveLength(wholeBody.length);
      expect(header.length).toBe(format === 'wav' ? 44 : 0);
    },
  );

  it('refuses to encode after flush() or close()', async () => {
    const flushed = await createAudioEncoder({
      format: 'pcm',
      inputSampleRate: ESPEAK_RATE,
      outputSampleRate: 8000,
    });
    flushed.flush();
    expect(() => flushed.encode(new Int16Array(10))).toThrow('already');
    expect(() => flushed.flush()).toThrow('already');

    const closed = await createAudioEncoder({
      format: 'mp3',
      inputSampleRate: ESPEAK_RATE,
      outputSampleRate: 8000,
    });
    closed.encode(sine(440, ESPEAK_RATE, 0.1));
    closed.close();
    closed.close();
    expect(() => closed.encode(new Int16Array(10))).toThrow('already');
  });
});

describe('telephony resampling (VoIP quality)', () => {
  const tone = (hz: number) =>
    Int16Array.from({ length: 22050 * 2 }, (_, i) =>
      Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / 22050)),
    );
  const levelDb = (samples: Int16Array) => {
    let e = 0;
    for (let i = 1000; i < samples.length - 1000; i++) e += samples[i] * samples[i];
    return 10 * Math.log10(e / (samples.length - 2000) / ((16000 * 16000) / 2));
  };

  it('keeps the telephone band and removes what would alias at 8 kHz', async () => {
    const encode = async (hz: number) => {
      const encoder = await createAudioEncoder({
        format: 'pcm',
        inputSampleRate: 22050,
        outputSampleRate: 8000,
      });
      const bytes = Buffer.concat([encoder.encode(tone(hz)), encoder.flush()]);
      return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    };
    expect(Math.abs(levelDb(await encode(3000)))).toBeLessThan(0.5);
    expect(levelDb(await encode(4500))).toBeLessThan(-60);
  });
});
