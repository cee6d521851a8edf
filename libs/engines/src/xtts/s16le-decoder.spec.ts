import { S16leDecoder } from './s16le-decoder';

function bytesOf(samples: number[]): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => out.writeInt16LE(s, i * 2));
  return out;
}

function decodeSplit(bytes: Buffer, cuts: number[]): { samples: number[]; pending: boolean } {
  const decoder = new S16leDecoder();
  const samples: number[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    samples.push(...decoder.push(bytes.subarray(from, to)));
    from = to;
  }
  return { samples, pending: decoder.pendingByte };
}

describe('S16leDecoder', () => {
  const samples = [0, 1, -1, 32767, -32768, 256, -256, 12345, -12345, 255, -255];
  const bytes = bytesOf(samples);

  it('decodes whole little-endian samples, sign included', () => {
    expect(decodeSplit(bytes, [])).toEqual({ samples, pending: false });
  });

  it('carries a half sample across odd read boundaries', () => {
    expect(decodeSplit(bytes, [1, 4, 7, 8, 15])).toEqual({ samples, pending: false });
  });

  it('reassembles a stream fed one byte at a time', () => {
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(decodeSplit(bytes, cuts)).toEqual({ samples, pending: false });
  });

  it('gives the same samples for every way of splitting into two or three reads', () => {
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 3) {
        expect(decodeSplit(bytes, [a, b]).samples).toEqual(samples);
      }
    }
  });

  it('reports a trailing half sample and tolerates empty reads', () => {
    const decoder = new S16leDecoder();
    expect(decoder.push(Buffer.alloc(0))).toHaveLength(0);
    expect(Array.from(decoder.push(bytes.subarray(0, 3)))).toEqual([0]);
    expect(decoder.pendingByte).toBe(true);
    expect(decoder.push(Buffer.alloc(0))).toHaveLength(0);
    expect(decoder.pendingByte).toBe(true);
    expect(Array.from(decoder.push(bytes.subarray(3, 4)))).toEqual([1]);
    expect(decoder.pendingByte).toBe(false);
  });

  it('hands out arrays that own their memory', () => {
    const out = new S16leDecoder().push(bytes);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(samples.length * 2);
  });
});
