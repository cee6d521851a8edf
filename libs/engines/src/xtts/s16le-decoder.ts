/**
 * Turns a byte stream of little-endian signed 16-bit samples into whole samples. Network reads
 * split the stream anywhere, so a read may end in the middle of a sample: that byte is carried
 * over and completed by the first byte of the next read.
 */
export class S16leDecoder {
  private carry = -1;

  /** A byte of an incomplete sample is waiting for its partner. */
  get pendingByte(): boolean {
    return this.carry >= 0;
  }

  /** The whole samples completed by `bytes` (possibly none); always a fresh, owned array. */
  push(bytes: Uint8Array): Int16Array {
    const carried = this.carry >= 0 ? 1 : 0;
    const out = new Int16Array((carried + bytes.length) >> 1);
    let at = 0;
    let n = 0;
    if (carried && bytes.length > 0) {
      out[n++] = toInt16(this.carry | (bytes[0] << 8));
      this.carry = -1;
      at = 1;
    }
    for (; at + 1 < bytes.length; at += 2) out[n++] = toInt16(bytes[at] | (bytes[at + 1] << 8));
    if (at < bytes.length) this.carry = bytes[at];
    return out;
  }
}

function toInt16(u16: number): number {
  return (u16 << 16) >> 16;
}
