/** Twilio plays 20 ms frames of 8 kHz mu-law: 160 bytes each. */
export const TWILIO_FRAME_BYTES = 160;
/** Mu-law encodes silence (zero) as 0xFF. */
export const MULAW_SILENCE = 0xff;

/**
 * Cuts a mu-law stream into Twilio's 160-byte frames. Bytes short of a frame wait for more audio;
 * `end` pads them with silence so an utterance ends on a whole frame.
 */
export class TwilioFramer {
  private rest = Buffer.alloc(0);

  /** Whole frames that `audio` completes. */
  push(audio: Buffer): Buffer[] {
    const data = this.rest.length ? Buffer.concat([this.rest, audio]) : audio;
    const frames: Buffer[] = [];
    let offset = 0;
    for (; offset + TWILIO_FRAME_BYTES <= data.length; offset += TWILIO_FRAME_BYTES) {
      frames.push(data.subarray(offset, offset + TWILIO_FRAME_BYTES));
    }
    this.rest = Buffer.from(data.subarray(offset));
    return frames;
  }

  /** The held bytes padded to one frame (none when nothing is held), and how much was padding. */
  end(): { frame?: Buffer; padding: number } {
    if (this.rest.length === 0) return { padding: 0 };
    const frame = Buffer.alloc(TWILIO_FRAME_BYTES, MULAW_SILENCE);
    this.rest.copy(frame);
    const padding = TWILIO_FRAME_BYTES - this.rest.length;
    this.rest = Buffer.alloc(0);
    return { frame, padding };
  }

  /** Drops held bytes (barge-in). */
  reset(): void {
    this.rest = Buffer.alloc(0);
  }
}

export const twilioMedia = (streamSid: string, frame: Buffer) => ({
  event: 'media',
  streamSid,
  media: { payload: frame.toString('base64') },
});

export const twilioMark = (streamSid: string, name: string) => ({
  event: 'mark',
  streamSid,
  mark: { name },
});

export const twilioClear = (streamSid: string) => ({ event: 'clear', streamSid });
