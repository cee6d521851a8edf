import { EspeakVoiceCatalog } from './espeak-voices';

const catalog = new EspeakVoiceCatalog(
  [
    {
      identifier: 'gmw/en',
      name: 'English (Great Britain)',
      languages: [
        { priority: 2, name: 'en-gb' },
        { priority: 2, name: 'en' },
      ],
    },
    {
      identifier: 'gmw/en-029',
      name: 'English (Caribbean)',
      languages: [
        { priority: 5, name: 'en-029' },
        { priority: 10, name: 'en' },
      ],
    },
    { identifier: 'roa/fr', name: 'French (France)', languages: [{ priority: 5, name: 'fr-fr' }] },
    { identifier: 'bnt/sw', name: 'Swahili', languages: [{ priority: 5, name: 'sw' }] },
  ],
  ['f3', 'm1'],
);

describe('EspeakVoiceCatalog', () => {
  it('finds a voice by file name, identifier or display name, ignoring case', () => {
    expect(catalog.findVoice('en-029')?.identifier).toBe('gmw/en-029');
    expect(catalog.findVoice('GMW/EN')?.identifier).toBe('gmw/en');
    expect(catalog.findVoice('Swahili')?.identifier).toBe('bnt/sw');
    expect(catalog.findVoice('yo')).toBeUndefined();
  });

  it('knows variants by exact name', () => {
    expect(catalog.hasVariant('f3')).toBe(true);
    expect(catalog.hasVariant('F3')).toBe(false);
    expect(catalog.hasVariant('f9')).toBe(false);
  });

  it('matches languages by code or by primary subtag', () => {
    const caribbean = catalog.findVoice('en-029')!;
    expect(catalog.speaks(caribbean, 'en-NG')).toBe(true);
    expect(catalog.speaks(caribbean, 'fr')).toBe(false);
    expect(catalog.voiceForLanguage('en')?.identifier).toBe('gmw/en');
    expect(catalog.voiceForLanguage('fr')?.identifier).toBe('roa/fr');
    expect(catalog.voiceForLanguage('en-ng')?.identifier).toBe('gmw/en');
    expect(catalog.voiceForLanguage('yo')).toBeUndefined();
    expect(catalog.languages).toEqual(['en', 'en-029', 'en-gb', 'fr-fr', 'sw']);
  });
});
