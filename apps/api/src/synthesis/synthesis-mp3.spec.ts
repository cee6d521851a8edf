import { createAudioEncoder } from '@cw/audio';
import { FakeEngine, NATIVE_RATE, synthesisWith, tenant } from './__tests__/fakes';
import type { SynthesisService } from './synthesis.service';

/*
 * MP3 through the synthesis path runs in the encoder threads (the compiled worker in dist/). One
 * encoder for the whole job: the pieces (rendered separately, gaps between them) must come out
 * exactly as the same PCM encoded in one go, with no encoder delay or padding between pieces.
 */
const TEXT = 'Thank you for calling. Your balance is ready, and your payment is due. Goodbye!';

async function inlineMp3(pcm: Buffer): Promise<Buffer> {
  const encoder = await createAudioEncoder({
    format: 'mp3',
    inputSampleRate: NATIVE_RATE,
    outputSampleRate: NATIVE_RATE,
  });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  return Buffer.concat([encoder.encode(samples.slice()), encoder.flush()]);
}

describe('SynthesisService MP3', () => {
  let engine: FakeEngine;
  let synthesis: SynthesisService;
  let pcm: Buffer;

  beforeEach(async () => {
    engine = new FakeEngine();
    synthesis = synthesisWith(engine);
    const profile = await synthesis.resolveProfile(tenant, { format: 'pcm' });
    pcm = (
      await synthesis.renderComplete(synthesis.plan(profile, TEXT), new AbortController().signal)
    ).audio;
    engine.requests.length = 0;
  });

  it('encodes a whole file of several pieces with one encoder, as the PCM encoded at once', async () => {
    const profile = await synthesis.resolveProfile(tenant, { format: 'mp3' });
    const mp3 = await synthesis.renderComplete(
      synthesis.plan(profile, TEXT),
      new AbortController().signal,
    );
    expect(engine.requests.length).toBeGreaterThanOrEqual(3);
    expect(mp3.samplesOut).toBe(pcm.length / 2);
    expect(mp3.audio.equals(await inlineMp3(pcm))).toBe(true);
  });

  it('streams the same bytes, audio leaving before the end', async () => {
    const profile = await synthesis.resolveProfile(tenant, { format: 'mp3' });
    const parts: Buffer[] = [];
    for await (const event of synthesis.renderEvents(
      synthesis.plan(profile, TEXT),
      new AbortController().signal,
    )) {
      if (event.type === 'audio') parts.push(event.data);
    }
    expect(parts.length).toBeGreaterThan(2);
    expect(Buffer.concat(parts).equals(await inlineMp3(pcm))).toBe(true);
  });
});
