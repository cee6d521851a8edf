import { parseVoiceList, describeOpenAiError } from './openai.engine';
import { WavStreamDecoder } from './wav-stream-decoder';

function streamedWav(samples: Int16Array, rate: number, extraChunk = false): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * 2, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const list = Buffer.from('LIST\x03\x00\x00\x00abc\x00', 'latin1'); // odd size, padded
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(0xffffffff, 4);
  head.write('WAVE', 8, 'ascii');
  const data = Buffer.alloc(8);
  data.write('data', 0, 'ascii');
  data.writeUInt32LE(0xffffffff, 4);
  const pcm = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([head, fmt, ...(extraChunk ? [list] : []), data, pcm]);
}

describe('WavStreamDecoder', () => {
  const samples = Int16Array.from({ length: 1000 }, (_, i) => ((i * 37) % 30000) - 15000);

  it('reads a streamed header split anywhere, then the samples across odd reads', () => {
    const bytes = streamedWav(samples, 24000, true);
    for (const step of [1, 3, 7, 45, 501]) {
      const decoder = new WavStreamDecoder();
      const out: number[] = [];
      for (let at = 0; at < bytes.length; at += step) {
        out.push(...decoder.push(bytes.subarray(at, at + step)));
      }
      expect(decoder.sampleRate).toBe(24000);
      expect(decoder.pendingByte).toBe(false);
      expect(Int16Array.from(out)).toEqual(samples);
    }
  });

  it('refuses what is not mono 16-bit PCM WAV', () => {
    expect(() => new WavStreamDecoder().push(Buffer.from('ID3\x04 an mp3 file...'))).toThrow(
      /not a WAV stream/,
    );
    const stereo = streamedWav(samples, 24000);
    stereo.writeUInt16LE(2, 22);
    expect(() => new WavStreamDecoder().push(stereo)).toThrow(/2 channel/);
  });
});

describe('OpenAI-compatible answers', () => {
  it('reads voice lists in the shapes servers send', () => {
    const of = (v: unknown) => parseVoiceList(Buffer.from(JSON.stringify(v)));
    expect(of({ voices: [{ id: 'af_heart', name: 'af_heart' }, { id: 'am_adam' }] })).toEqual([
      'af_heart',
      'am_adam',
    ]);
    expect(of({ voices: ['alloy', 'echo'] })).toEqual(['alloy', 'echo']);
    expect(of(['nova'])).toEqual(['nova']);
    expect(parseVoiceList(Buffer.from('<html>'))).toEqual([]);
  });

  it('finds the reason in OpenAI and FastAPI error bodies', () => {
    const of = (v: unknown) => describeOpenAiError(Buffer.from(JSON.stringify(v)));
    expect(of({ error: { message: 'Incorrect API key', type: 'invalid_request_error' } })).toBe(
      'Incorrect API key',
    );
    expect(of({ detail: { error: 'validation_error', message: "Voice 'x' not found" } })).toBe(
      "Voice 'x' not found",
    );
    expect(of({ detail: 'Not Found' })).toBe('Not Found');
    expect(describeOpenAiError(Buffer.from('Internal Server Error'))).toBe('Internal Server Error');
  });
});
