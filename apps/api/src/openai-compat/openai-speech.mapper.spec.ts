import type { CreateSpeechDto } from './dto/create-speech.dto';
import { OpenAiCompatException } from './openai-compat.exception';
import { OPENAI_SAMPLE_RATE, toSynthesizeDto } from './openai-speech.mapper';
import { OPENAI_VOICES, resolveVoiceId } from './openai-voices';

const BUILTIN = [
  'default',
  'naija_female',
  'naija_male',
  'professional_female',
  'professional_male',
];

const request = (overrides: Partial<CreateSpeechDto> = {}): CreateSpeechDto => ({
  model: 'tts-1',
  input: 'Hello there.',
  voice: 'alloy',
  ...overrides,
});

describe('OpenAI speech request mapping', () => {
  it('maps every OpenAI voice name to a built-in voice, and uses all five', () => {
    const names = Object.keys(OPENAI_VOICES).sort();
    expect(names).toEqual([
      'alloy',
      'ash',
      'ballad',
      'cedar',
      'coral',
      'echo',
      'fable',
      'marin',
      'nova',
      'onyx',
      'sage',
      'shimmer',
      'verse',
    ]);
    for (const id of Object.values(OPENAI_VOICES)) expect(BUILTIN).toContain(id);
    expect(new Set(Object.values(OPENAI_VOICES)).size).toBe(BUILTIN.length);
  });

  it('maps names in any case, passes our ids through, and reads {id}', () => {
    expect(resolveVoiceId('onyx')).toBe('professional_male');
    expect(resolveVoiceId('Nova')).toBe('naija_female');
    expect(resolveVoiceId('naija_male')).toBe('naija_male');
    expect(resolveVoiceId('v_0123abcd')).toBe('v_0123abcd');
    expect(resolveVoiceId({ id: 'shimmer' })).toBe('professional_female');
    expect(resolveVoiceId({ id: 'v_0123abcd' })).toBe('v_0123abcd');
  });

  it('defaults to mp3 at 24 kHz, plain English text, speed 1', () => {
    expect(toSynthesizeDto(request(), 'default')).toEqual({
      text: 'Hello there.',
      voice_id: 'default',
      language: 'en',
      format: 'mp3',
      sample_rate: OPENAI_SAMPLE_RATE,
      speed: 1,
      ssml: false,
    });
    expect(toSynthesizeDto(request({ response_format: 'wav' }), 'default').format).toBe('wav');
    expect(toSynthesizeDto(request({ response_format: 'pcm' }), 'default').format).toBe('pcm');
  });

  it("clamps OpenAI's speed range to the engine's 0.5-2.0", () => {
    const speed = (s: number) => toSynthesizeDto(request({ speed: s }), 'default').speed;
    expect(speed(0.25)).toBe(0.5);
    expect(speed(0.75)).toBe(0.75);
    expect(speed(1.5)).toBe(1.5);
    expect(speed(4)).toBe(2);
  });

  it.each(['opus', 'aac', 'flac'] as const)('refuses %s with param response_format', (format) => {
    let error: unknown;
    try {
      toSynthesizeDto(request({ response_format: format }), 'default');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OpenAiCompatException);
    expect(error).toMatchObject({
      status: 400,
      code: 'unsupported_value',
      options: { extra: { param: 'response_format' } },
    });
    expect((error as Error).message).toContain('mp3, wav, pcm');
  });

  it('accepts stream_format sse and audio, and speaks the voice it is given', () => {
    expect(toSynthesizeDto(request({ stream_format: 'sse' }), 'v_0123abcd')).toMatchObject({
      format: 'mp3',
      voice_id: 'v_0123abcd',
    });
    expect(toSynthesizeDto(request({ stream_format: 'audio' }), 'default').format).toBe('mp3');
  });
});
