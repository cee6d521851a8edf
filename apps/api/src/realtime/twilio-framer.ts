/** Twilio plays 20 ms frames of 8 kHz mu-law: 160 bytes each. */
export const TWILIO_FRAME_BYTES = 160;
export const TWILIO_FRAME_MS = 20;
/** Mu-law encodes silence (zero) as 0xFF. */
export const MULAW_SILENCE = 0xff;

/** Twilio buffers and plays a media message of any length; ours carry at most this much audio. */
export const MAX_MEDIA_MS = 1000;

/**
 * Cuts a mu-law stream into Twilio media payloads of whole 160-byte frames: everything a chunk
 * completes goes out at once, in payloads of at most `maxMediaMs` of audio (20: exactly one frame
 * each). Bytes short of a frame wait for more audio; `end` pads them with silence so an utterance
 * ends on a whole frame.
 */
export class TwilioFramer {
  private rest = Buffer.alloc(0);
  private readonly maxFrames: number;

  constructor(maxMediaMs = MAX_MEDIA_MS) {
    this.maxFrames = maxMediaMs / TWILIO_FRAME_MS;
  }

  /** The payloads of whole frames that `audio` completes. */
  push(audio: Buffer): Buffer[] {
    const data = this.rest.length ? Buffer.concat([this.rest, audio]) : audio;
    const whole = data.length - (data.length % TWILIO_FRAME_BYTES);
    const most = this.maxFrames * TWILIO_FRAME_BYTES;
    const payloads: Buffer[] = [];
    for (let offset = 0; offset < whole; offset += most) {
      payloads.push(data.subarray(offset, Math.min(offset + most, whole)));
    }
    this.rest = Buffer.from(data.subarray(whole));
    return payloads;
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
