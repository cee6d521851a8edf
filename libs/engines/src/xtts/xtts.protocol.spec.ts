import { parseXttsConditioning, toXttsLanguage, XTTS_LANGUAGES } from './xtts.protocol';

function conditioning(rows = 32, width = 1024, embedding = 512) {
  return {
    speaker_embedding: Array.from({ length: embedding }, (_, i) => i / 1000),
    gpt_cond_latent: Array.from({ length: rows }, () => new Array<number>(width).fill(0.5)),
  };
}

describe('toXttsLanguage', () => {
  it('knows the 17 XTTS v2 languages', () => {
    expect([...XTTS_LANGUAGES].sort()).toEqual(
      [
        'ar',
        'cs',
        'de',
        'en',
        'es',
        'fr',
        'hi',
        'hu',
        'it',
        'ja',
        'ko',
        'nl',
        'pl',
        'pt',
        'ru',
        'tr',
        'zh-cn',
      ].sort(),
    );
    for (const code of XTTS_LANGUAGES) expect(toXttsLanguage(code)).toBe(code);
  });

  it('reduces regional tags to the XTTS code', () => {
    expect(toXttsLanguage('en-GB')).toBe('en');
    expect(toXttsLanguage('en_NG')).toBe('en');
    expect(toXttsLanguage(' PT-br ')).toBe('pt');
    expect(toXttsLanguage('fr-CA')).toBe('fr');
  });

  it('sends every form of Chinese as zh-cn', () => {
    for (const code of ['zh', 'zh-CN', 'zh-Hans', 'zh-TW', 'cmn']) {
      expect(toXttsLanguage(code)).toBe('zh-cn');
    }
  });

  it('treats an empty language as English and refuses what XTTS does not speak', () => {
    expect(toXttsLanguage('')).toBe('en');
    expect(toXttsLanguage('yo')).toBeNull();
    expect(toXttsLanguage('ha-NG')).toBeNull();
    expect(toXttsLanguage('english')).toBeNull();
  });
});

describe('parseXttsConditioning', () => {
  it('accepts the shapes /clone_speaker returns', () => {
    const c = conditioning();
    expect(parseXttsConditioning(c)).toEqual(c);
    expect(parseXttsConditioning(conditioning(1))).not.toBeNull();
  });

  it('refuses anything the server could not reshape', () => {
    expect(parseXttsConditioning({})).toBeNull();
    expect(parseXttsConditioning(conditioning(32, 1024, 511))).toBeNull();
    expect(parseXttsConditioning(conditioning(32, 1000))).toBeNull();
    expect(parseXttsConditioning(conditioning(0))).toBeNull();
    const holey = conditioning();
    holey.gpt_cond_latent[3][7] = Number.NaN;
    expect(parseXttsConditioning(holey)).toBeNull();
    const text = { ...conditioning(), speaker_embedding: new Array<unknown>(512).fill('0') };
    expect(parseXttsConditioning(text)).toBeNull();
    expect(parseXttsConditioning({ espeakVoice: 'en', pitch: 50 })).toBeNull();
  });
});
