import { MULAW_SILENCE, TWILIO_FRAME_BYTES, TwilioFramer } from './twilio-framer';

describe('TwilioFramer', () => {
  it('cuts a stream into 160-byte frames whatever the chunk sizes, and pads the end with silence', () => {
    const framer = new TwilioFramer();
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

  it('forgets held bytes on reset', () => {
    const framer = new TwilioFramer();
    framer.push(Buffer.alloc(100, 1));
    framer.reset();
    expect(framer.end()).toEqual({ padding: 0 });
  });
});
