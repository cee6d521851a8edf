import { ElevenLabsException } from './elevenlabs-compat.exception';
import { parseOutputFormat, SUPPORTED_OUTPUT_FORMATS } from './elevenlabs-output-format';
import { toSynthesizeDto } from './elevenlabs-speech.mapper';
import { ELEVENLABS_VOICES, resolveVoiceId } from './elevenlabs-voices';

const BUILTIN = [
  'default',
  'naija_female',
  'naija_male',
  'professional_female',
  'professional_male',
];

describe('ElevenLabs request mapping', () => {
  it('maps every output format in the issue to our format and exact rate', () => {
    expect(parseOutputFormat('mp3_22050_32')).toEqual({ format: 'mp3', sampleRate: 22050 });
    expect(parseOutputFormat('mp3_44100_192')).toEqual({ format: 'mp3', sampleRate: 44100 });
    for (const rate of [8000, 16000, 22050, 24000, 44100, 48000]) {
      expect(parseOutputFormat(`pcm_${rate}`)).toEqual({ format: 'pcm', sampleRate: rate });
    }
    expect(parseOutputFormat('ulaw_8000')).toEqual({ format: 'mulaw', sampleRate: 8000 });
    expect(parseOutputFormat('alaw_8000')).toEqual({ format: 'alaw', sampleRate: 8000 });
    expect(parseOutputFormat(undefined)).toEqual({ format: 'mp3', sampleRate: 44100 });
  });

  it.each([
    ['opus_48000_64', 'unsupported_output_format'],
    ['wav_44100', 'invalid_output_format'],
    ['toString', 'invalid_output_format'],
  ])('refuses %s with %s (400)', (name, code) => {
    let error: unknown;
    try {
      parseOutputFormat(name);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ElevenLabsException);
    expect(error).toMatchObject({ code, status: 400 });
    expect((error as Error).message).toContain('pcm_16000');
    expect(SUPPORTED_OUTPUT_FORMATS).not.toContain(name);
  });

  it('maps ElevenLabs voice ids and names to built-in voices, and passes our ids through', () => {
    for (const v of ELEVENLABS_VOICES) expect(BUILTIN).toContain(v.voice);
    expect(new Set(ELEVENLABS_VOICES.map((v) => v.voice)).size).toBe(BUILTIN.length);
    expect(resolveVoiceId('21m00Tcm4TlvDq8ikWAM')).toBe('professional_female');
    expect(resolveVoiceId('rachel')).toBe('professional_female');
    expect(resolveVoiceId('naija_male')).toBe('naija_male');
    expect(resolveVoiceId('v_0123abcd')).toBe('v_0123abcd');
  });

  it('uses text, language_code and voice_settings.speed', () => {
    expect(
      toSynthesizeDto(
        'Adam',
        { text: 'Hi.', language_code: 'en-GB', voice_settings: { speed: 1.1 } },
        'pcm_24000',
      ),
    ).toEqual({
      text: 'Hi.',
      voice_id: 'professional_male',
      language: 'en-GB',
      format: 'pcm',
      sample_rate: 24000,
      speed: 1.1,
      ssml: false,
    });
  });

  it('names our pronunciation dictionaries from pronunciation_dictionary_locators, in order', () => {
    const locators = [
      { pronunciation_dictionary_id: 'pd_a', version_id: 'v1' },
      { pronunciation_dictionary_id: 'pd_b' },
    ];
    expect(
      toSynthesizeDto(
        'default',
        { text: 'Hi.', pronunciation_dictionary_locators: locators },
        undefined,
      ).pronunciation_dictionary_ids,
    ).toEqual(['pd_a', 'pd_b']);
    expect(
      toSynthesizeDto('default', { text: 'Hi.' }, undefined).pronunciation_dictionary_ids,
    ).toBeUndefined();
  });
});
