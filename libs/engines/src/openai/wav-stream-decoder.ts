import { S16leDecoder } from '../xtts/s16le-decoder';

/**
 * Reads a streamed WAV: the RIFF header (whose sizes a streaming server leaves at 0 or
 * 0xFFFFFFFF), then 16-bit PCM samples as they arrive. Only mono 16-bit PCM is accepted; the
 * header may arrive split across reads.
 */
export class WavStreamDecoder {
  private head: Buffer | null = Buffer.alloc(0);
  private readonly pcm = new S16leDecoder();
  sampleRate: number | null = null;

  get pendingByte(): boolean {
    return this.pcm.pendingByte;
  }

  /** True once the header has been read. */
  get started(): boolean {
    return this.head === null;
  }

  /** Samples completed by `bytes`; throws a plain Error when the header is not mono s16 PCM. */
  push(bytes: Uint8Array): Int16Array {
    if (this.head === null) return this.pcm.push(bytes);
    this.head = Buffer.concat([this.head, bytes]);
    const dataAt = this.parseHeader(this.head);
    if (dataAt === null) {
      if (this.head.length > 64 * 1024) throw new Error('WAV header is larger than 64 KB');
      return new Int16Array(0);
    }
    const rest = this.head.subarray(dataAt);
    this.head = null;
    return this.pcm.push(rest);
  }

  /** Offset of the first sample once the header is complete, else null. */
  private parseHeader(buf: Buffer): number | null {
    if (buf.length < 12) return null;
    if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error('not a WAV stream (no RIFF/WAVE header)');
    }
    let at = 12;
    while (at + 8 <= buf.length) {
      const id = buf.toString('ascii', at, at + 4);
      const size = buf.readUInt32LE(at + 4);
      if (id === 'data') {
        if (this.sampleRate === null) throw new Error('WAV data chunk before its fmt chunk');
        return at + 8;
      }
      if (at + 8 + size > buf.length) return null;
      if (id === 'fmt ') {
        const format = buf.readUInt16LE(at + 8);
        const channels = buf.readUInt16LE(at + 10);
        const rate = buf.readUInt32LE(at + 12);
        const bits = buf.readUInt16LE(at + 22);
        if ((format !== 1 && format !== 0xfffe) || channels !== 1 || bits !== 16) {
          throw new Error(
            `WAV is format ${format}, ${channels} channel(s), ${bits}-bit; only mono 16-bit PCM is read`,
          );
        }
        if (rate < 1000 || rate > 192_000) throw new Error(`WAV sample rate ${rate} is not usable`);
        this.sampleRate = rate;
      }
      at += 8 + size + (size & 1);
    }
    return null;
  }
}
