import { execFileSync } from 'node:child_process';
import {
  IPA_TO_ESPEAK,
  ipaToEspeak,
  toEspeakPhonemes,
  UnsupportedPhonemeError,
  XSAMPA_TO_IPA,
  xsampaToIpa,
} from './espeak-phonemes';

/**
 * Speaks each input with eSpeak (the package the engine uses) and prints the phonemes eSpeak
 * reports for it, in IPA. It runs in its own Node process because the package is an ES module,
 * which ts-jest's CommonJS cannot import.
 */
const PROBE = `
import createModule from '@echogarden/espeak-ng-emscripten';
const [voice, ...inputs] = JSON.parse(process.argv[1]);
const module = await createModule();
const espeak = new module.eSpeakNGWorker();
if (espeak.set_voice(voice) !== 0) throw new Error('no voice ' + voice);
process.stdout.write(JSON.stringify(inputs.map((input) => {
  const phonemes = [];
  let samples = 0;
  espeak.synthesize(input, (audio, events) => {
    samples += audio.length;
    for (const e of events) if (e.type === 'phoneme' && e.id) phonemes.push(e.id);
    return 0;
  });
  return { phonemes, samples };
})));
`;

/** The phonemes eSpeak reports (in IPA, stress marks removed) for each input, per voice. */
function espeakSays(voice: string, inputs: string[]): { phonemes: string[]; samples: number }[] {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', PROBE, JSON.stringify([voice, ...inputs])],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as { phonemes: string[]; samples: number }[]).map((r) => ({
    ...r,
    phonemes: r.phonemes.map((p) => p.replace(/[ˈˌ]/g, '')),
  }));
}

/**
 * Where eSpeak's English names the phoneme we chose with another symbol: the nearest sound it
 * has (ɹ is its English r; æ its "a"; labial-velars are two stops) or a spelling variant.
 */
const REPORTED_AS: Record<string, string> = {
  g: 'ɡ',
  æ: 'a',
  ɹ: 'r',
  ɜ: 'ɜː',
  ɑ: 'ɑː',
  oʊ: 'əʊ',
  ɛə: 'eə',
  ʧ: 'tʃ',
  ʤ: 'dʒ',
  t͡ʃ: 'tʃ',
  d͡ʒ: 'dʒ',
  k͡p: 'k p',
  ɡ͡b: 'ɡ b',
  g͡b: 'ɡ b',
  'c\u0327': 'ç',
  aː: 'a',
  ɪə: 'iə',
};

const SOUNDS = Object.keys(IPA_TO_ESPEAK).filter((s) => !['ˈ', 'ˌ', 'ː', ' '].includes(s));

describe('IPA to eSpeak', () => {
  it('gives every supported IPA symbol the phoneme eSpeak itself names with it (real engine)', () => {
    const results = espeakSays(
      'en',
      SOUNDS.map((s) => toEspeakPhonemes(s, 'ipa')),
    );
    const heard = Object.fromEntries(SOUNDS.map((s, i) => [s, results[i].phonemes.join(' ')]));
    const expected = Object.fromEntries(SOUNDS.map((s) => [s, REPORTED_AS[s] ?? s]));
    expect(heard).toEqual(expected);
  });

  it('converts words with stress, length, tone marks and syllable breaks', () => {
    expect(ipaToEspeak('tʃukwuˈɛmɛka')).toBe("tSukwu'EmEka");
    expect(ipaToEspeak('ˌoluˈwa.ʃɛ.un')).toBe(",olu'waSEun");
    // Yoruba tones (precomposed or combining) and nasal vowels are dropped.
    expect(ipaToEspeak('ʃɔ̀lá')).toBe('SOla');
    expect(ipaToEspeak('ìjɛ̃bu')).toBe('ijEbu');
    expect(ipaToEspeak('/ˈɡbɛŋɡa/')).toBe("'gbENga");
    expect(ipaToEspeak('lɑːɡɒs  aɪlənd')).toBe('lA:g0s aIl@nd');
  });

  it('says a converted word as eSpeak would say the same phonemes (real engine)', () => {
    const [word] = espeakSays('en', [toEspeakPhonemes('tʃukwuˈɛmɛka', 'ipa')]);
    expect(word.phonemes).toEqual(['tʃ', 'u', 'k', 'w', 'u', 'ɛ', 'm', 'ɛ', 'k', 'a']);
    expect(word.samples).toBeGreaterThan(0);
  });

  it('names the symbols it cannot convert', () => {
    expect(() => ipaToEspeak('ʘa')).toThrow(UnsupportedPhonemeError);
    expect(() => ipaToEspeak('ʘaǃ')).toThrow(/"ʘ" \(U\+0298\), "ǃ" \(U\+01C3\)/);
  });
});

describe('X-SAMPA', () => {
  it('maps every supported X-SAMPA symbol to IPA we can convert', () => {
    for (const [xsampa, ipa] of Object.entries(XSAMPA_TO_IPA).filter(([x]) => x !== ' ')) {
      expect(xsampaToIpa(xsampa)).toBe(ipa);
      expect(() => ipaToEspeak(ipa)).not.toThrow();
    }
  });

  it('converts words through IPA', () => {
    expect(xsampaToIpa('i"kEdZa')).toBe('iˈkɛdʒa');
    expect(toEspeakPhonemes('i"kEdZa', 'x-sampa')).toBe("[[i'kEdZa]]");
    expect(toEspeakPhonemes('r\\{n', 'x-sampa')).toBe('[[ran]]');
    expect(() => xsampaToIpa('a=b')).toThrow(/X-SAMPA symbol "="/);
  });
});
