import { MULAW_SILENCE, TWILIO_FRAME_BYTES, TwilioFramer } from './twilio-framer';

describe('TwilioFramer', () => {
  it('with one frame a message: 160-byte frames whatever the chunk sizes, the end padded with silence', () => {
    const framer = new TwilioFramer(20);
    const audio = Buffer.from(Array.from({ length: 500 }, (_, i) => i % 200));
    const frames = [
      ...framer.push(audio.subarray(0, 7)),
      ...framer.push(audio.subarray(7, 330)),
      ...framer.push(audio.subarray(330)),
    ];
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect(Buffer.concat(frames)).toEqual(audio.subarray(0, 480));
    const { frame, padding } = framer.end();
    expect(frame).toHaveLength(TWILIO_FRAME_BYTES);
    expect(padding).toBe(140);
    expect(frame!.subarray(0, 20)).toEqual(audio.subarray(480));
    expect(frame!.subarray(20).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(framer.end()).toEqual({ padding: 0 });
  });

  it('by default sends every whole frame a chunk completes at once, at most 1 s a message', () => {
    const framer = new TwilioFramer();
    const audio = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
    const first = framer.push(audio.subarray(0, 1_000));
    // 1,000 bytes: six whole frames go out in one message, 40 bytes wait for the next chunk.
    expect(first.map((p) => p.length)).toEqual([960]);
    const rest = framer.push(audio.subarray(1_000));
    // 19,040 bytes: 8,000 + 8,000 + 3,040 (whole frames), nothing held.
    expect(rest.map((p) => p.length)).toEqual([8_000, 8_000, 3_040]);
    expect(Buffer.concat([...first, ...rest])).toEqual(audio);
    expect(framer.end()).toEqual({ padding: 0 });
  });

  it('caps a message at the audio it is given', () => {
    const framer = new TwilioFramer(60);
    const payloads = framer.push(Buffer.alloc(160 * 7 + 5, 7));
    expect(payloads.map((p) => p.length)).toEqual([480, 480, 160]);
    expect(framer.end().padding).toBe(155);
  });

  it('forgets held bytes on reset', () => {
    const framer = new TwilioFramer();
    framer.push(Buffer.alloc(100, 1));
    framer.reset();
    expect(framer.end()).toEqual({ padding: 0 });
  });
});
