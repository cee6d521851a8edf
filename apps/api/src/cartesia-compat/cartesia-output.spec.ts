import { int16ToBytes, readWavLayout, WavFormatTag } from '@cw/audio';
import { CartesiaOutput, cartesiaSpeed, toSynthesizeDto } from './cartesia-output';
import { CARTESIA_VOICES, resolveCartesiaVoice } from './cartesia-voices';
import type { CartesiaTtsRequestDto } from './dto/cartesia-tts-request.dto';

const request = (overrides: Partial<CartesiaTtsRequestDto> = {}): CartesiaTtsRequestDto => ({
  transcript: 'Hello there.',
  voice: { mode: 'id', id: 'naija_male' },
  output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 16000 },
  ...overrides,
});

describe('Cartesia output formats', () => {
  it('renders 16-bit PCM for s16 and f32, G.711 as itself, mp3 as mp3', () => {
    const output = (container: 'raw' | 'wav' | 'mp3', encoding?: string, rate = 8000) =>
      new CartesiaOutput({ container, encoding: encoding as never, sample_rate: rate });
    expect(output('raw', 'pcm_s16le')).toMatchObject({
      render: 'pcm',
      contentType: 'application/octet-stream',
    });
    expect(output('raw', 'pcm_f32le').render).toBe('pcm');
    expect(output('wav', 'pcm_mulaw')).toMatchObject({ render: 'mulaw', contentType: 'audio/wav' });
    expect(output('raw', 'pcm_alaw').render).toBe('alaw');
    expect(output('mp3', undefined, 24000)).toMatchObject({
      render: 'mp3',
      contentType: 'audio/mpeg',
      sampleRate: 24000,
    });
  });

  it('puts one WAV header, declaring float samples, before f32 audio', () => {
    const shaper = new CartesiaOutput({
      container: 'wav',
      encoding: 'pcm_f32le',
      sample_rate: 22050,
    }).shaper();
    const first = shaper.shape(int16ToBytes(Int16Array.of(16384, -16384)));
    const second = shaper.shape(int16ToBytes(Int16Array.of(8192)));
    expect(readWavLayout(first)).toMatchObject({
      format: WavFormatTag.Float,
      sampleRate: 22050,
      bitsPerSample: 32,
    });
    expect(first.length).toBe(44 + 8);
    expect([first.readFloatLE(44), first.readFloatLE(48)]).toEqual([0.5, -0.5]);
    expect(second).toHaveLength(4);
    expect(second.readFloatLE(0)).toBe(0.25);
  });

  it('passes raw s16 audio through untouched', () => {
    const shaper = new CartesiaOutput(request().output_format).shaper();
    const audio = int16ToBytes(Int16Array.of(1, 2, 3));
    expect(shaper.shape(audio)).toEqual(audio);
  });
});

describe('Cartesia request mapping', () => {
  it('maps the table of Cartesia voice ids, and passes our ids through', () => {
    for (const [id, { voice }] of Object.entries(CARTESIA_VOICES)) {
      expect(resolveCartesiaVoice(id)).toBe(voice);
      expect(resolveCartesiaVoice(id.toUpperCase())).toBe(voice);
    }
    expect(resolveCartesiaVoice('v_0123abcd')).toBe('v_0123abcd');
  });

  it('takes speed from generation_config, else the older speed, clamped to 0.5-2.0', () => {
    expect(cartesiaSpeed({})).toBe(1);
    expect(cartesiaSpeed({ generation_config: { speed: 1.5 }, speed: 'slow' })).toBe(1.5);
    expect(cartesiaSpeed({ speed: 'slow' })).toBe(0.8);
    expect(cartesiaSpeed({ speed: 'fast' })).toBe(1.25);
    expect(cartesiaSpeed({ speed: 'warp' })).toBe(1);
    expect(cartesiaSpeed({ speed: 9 })).toBe(2);
    expect(cartesiaSpeed({ generation_config: { speed: 0.1 } })).toBe(0.5);
  });

  it('is one of our synthesis requests in the render format, plain text', () => {
    const dto = request({ voice: 'f786b574-daa5-4673-aa0c-cbe3e8534c02', language: 'en' });
    expect(toSynthesizeDto(dto, new CartesiaOutput(dto.output_format))).toEqual({
      text: 'Hello there.',
      voice_id: 'naija_female',
      language: 'en',
      format: 'pcm',
      sample_rate: 16000,
      speed: 1,
      ssml: false,
    });
  });
});
