import { type AudioFormat, createAudioEncoder, wavHeader } from '@cw/audio';

/** One-shot encoding through the streaming encoder, for comparisons in specs; WAV gets its real sizes. */
export async function encodeWhole(
  format: AudioFormat,
  samples: Int16Array,
  inputSampleRate: number,
  outputSampleRate: number,
): Promise<Buffer> {
  const encoder = await createAudioEncoder({ format, inputSampleRate, outputSampleRate });
  const body = Buffer.concat([encoder.encode(samples), encoder.flush()]);
  if (format !== 'wav') return body;
  const header = wavHeader({
    sampleRate: outputSampleRate,
    channels: 1,
    bitsPerSample: 16,
    dataBytes: body.length,
  });
  return Buffer.concat([header, body]);
}
