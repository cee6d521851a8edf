/**
 * IPA and X-SAMPA into eSpeak's phoneme input (`[[...]]`, Kirshenbaum-like mnemonics), for the
 * English phoneme tables our voices use. Each IPA symbol maps to the eSpeak phoneme that eSpeak
 * itself reports with that symbol (checked against the engine in espeak-phonemes.spec.ts); tone
 * marks are dropped, as eSpeak's English voices have no lexical tone.
 */

/** IPA → eSpeak, longest symbols first when matching. */
export const IPA_TO_ESPEAK: Readonly<Record<string, string>> = {
  // Diphthongs and long vowels (two or more IPA characters).
  aɪ: 'aI',
  aʊ: 'aU',
  eɪ: 'eI',
  oʊ: 'oU',
  əʊ: 'oU',
  ɔɪ: 'OI',
  eə: 'e@',
  ɛə: 'e@',
  ɪə: 'i@',
  ʊə: 'U@',
  iː: 'i:',
  uː: 'u:',
  ɑː: 'A:',
  ɔː: 'O:',
  ɜː: '3:',
  eː: 'e:',
  oː: 'o:',
  aː: 'a:',
  // Affricates, tied or not, and the ligatures.
  t͡ʃ: 'tS',
  d͡ʒ: 'dZ',
  tʃ: 'tS',
  dʒ: 'dZ',
  ʧ: 'tS',
  ʤ: 'dZ',
  // Labial-velars of Yoruba, Igbo and Hausa: eSpeak's English tables have no single phoneme.
  k͡p: 'kp',
  ɡ͡b: 'gb',
  g͡b: 'gb',
  // Vowels.
  a: 'a',
  æ: 'a',
  e: 'e',
  i: 'i',
  o: 'o',
  u: 'u',
  ɛ: 'E',
  ɔ: 'O',
  ə: '@',
  ɜ: '3:',
  ʌ: 'V',
  ʊ: 'U',
  ɪ: 'I',
  ɒ: '0',
  ɑ: 'A:',
  ɐ: 'a#',
  // Consonants.
  p: 'p',
  b: 'b',
  t: 't',
  d: 'd',
  k: 'k',
  g: 'g',
  ɡ: 'g',
  f: 'f',
  v: 'v',
  θ: 'T',
  ð: 'D',
  s: 's',
  z: 'z',
  ʃ: 'S',
  ʒ: 'Z',
  h: 'h',
  m: 'm',
  n: 'n',
  ŋ: 'N',
  l: 'l',
  r: 'r',
  ɹ: 'r',
  ɾ: '*',
  w: 'w',
  j: 'j',
  x: 'x',
  ç: 'C',
  // NFD spells ç as c + combining cedilla.
  'c\u0327': 'C',
  ɟ: 'J',
  c: 'c',
  ɫ: 'L',
  ɲ: 'n^',
  ʎ: 'l^',
  ʔ: '?',
  ɣ: 'Q',
  q: 'q',
  χ: 'X',
  β: 'B',
  // Stress, length and boundaries.
  ˈ: "'",
  ˌ: ',',
  ː: ':',
  ' ': ' ',
};

/** Marks eSpeak's English cannot say; dropped (tones, syllable breaks, nasalisation, ties). */
const DROPPED = new Set([
  '.',
  '\u0303', // combining tilde (nasal vowel)
  '\u0300', // grave: low tone
  '\u0301', // acute: high tone
  '\u0304', // macron: mid tone
  '\u0302', // circumflex: falling tone
  '\u030C', // caron: rising tone
  '\u0361', // tie bar above, left alone
  '\u035C', // tie bar below
  '˥',
  '˦',
  '˧',
  '˨',
  '˩',
  '/',
  '[',
  ']',
]);

/** X-SAMPA → IPA, longest symbols first when matching. */
export const XSAMPA_TO_IPA: Readonly<Record<string, string>> = {
  'r\\': 'ɹ',
  'J\\': 'ɟ',
  tS: 'tʃ',
  dZ: 'dʒ',
  '"': 'ˈ',
  '%': 'ˌ',
  ':': 'ː',
  A: 'ɑ',
  E: 'ɛ',
  O: 'ɔ',
  '@': 'ə',
  '3': 'ɜ',
  V: 'ʌ',
  U: 'ʊ',
  I: 'ɪ',
  Q: 'ɒ',
  '{': 'æ',
  '6': 'ɐ',
  T: 'θ',
  D: 'ð',
  S: 'ʃ',
  Z: 'ʒ',
  N: 'ŋ',
  J: 'ɲ',
  '4': 'ɾ',
  C: 'ç',
  G: 'ɣ',
  X: 'χ',
  '?': 'ʔ',
  B: 'β',
  L: 'ʎ',
  '5': 'ɫ',
  g: 'ɡ',
  '~': '\u0303',
  '_~': '\u0303',
  '.': '.',
  ' ': ' ',
  a: 'a',
  b: 'b',
  c: 'c',
  d: 'd',
  e: 'e',
  f: 'f',
  h: 'h',
  i: 'i',
  j: 'j',
  k: 'k',
  l: 'l',
  m: 'm',
  n: 'n',
  o: 'o',
  p: 'p',
  q: 'q',
  r: 'r',
  s: 's',
  t: 't',
  u: 'u',
  v: 'v',
  w: 'w',
  x: 'x',
  z: 'z',
};

/** A phoneme string with symbols we cannot convert; `symbols` lists them for the caller. */
export class UnsupportedPhonemeError extends Error {
  constructor(
    readonly alphabet: 'ipa' | 'x-sampa',
    readonly symbols: string[],
  ) {
    super(
      `${alphabet === 'ipa' ? 'IPA' : 'X-SAMPA'} symbol${symbols.length > 1 ? 's' : ''} ` +
        `${symbols.map((s) => `"${s}" (U+${s.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} ` +
        'cannot be spoken; use the symbols listed in the pronunciation dictionary docs',
    );
    this.name = 'UnsupportedPhonemeError';
  }
}

function longestFirst(table: Readonly<Record<string, string>>): string[] {
  return Object.keys(table).sort((a, b) => b.length - a.length);
}

const IPA_KEYS = longestFirst(IPA_TO_ESPEAK);
const XSAMPA_KEYS = longestFirst(XSAMPA_TO_IPA);

function convert(
  input: string,
  keys: readonly string[],
  table: Readonly<Record<string, string>>,
  dropped: ReadonlySet<string>,
  alphabet: 'ipa' | 'x-sampa',
): string {
  let out = '';
  const unknown = new Set<string>();
  let at = 0;
  while (at < input.length) {
    const key = keys.find((k) => input.startsWith(k, at));
    if (key !== undefined) {
      out += table[key];
      at += key.length;
      continue;
    }
    const ch = String.fromCodePoint(input.codePointAt(at)!);
    if (!dropped.has(ch)) unknown.add(ch);
    at += ch.length;
  }
  if (unknown.size) throw new UnsupportedPhonemeError(alphabet, [...unknown]);
  return out;
}

/** IPA → eSpeak phoneme mnemonics; throws UnsupportedPhonemeError naming unknown symbols. */
export function ipaToEspeak(ipa: string): string {
  const text = ipa.normalize('NFD').replace(/\s+/g, ' ').trim();
  return convert(text, IPA_KEYS, IPA_TO_ESPEAK, DROPPED, 'ipa').replace(/\s+/g, ' ').trim();
}

/** X-SAMPA → IPA; throws UnsupportedPhonemeError naming unknown symbols. */
export function xsampaToIpa(xsampa: string): string {
  return convert(xsampa.trim(), XSAMPA_KEYS, XSAMPA_TO_IPA, new Set(), 'x-sampa');
}

/** A phoneme string in either alphabet as eSpeak's `[[...]]` input. */
export function toEspeakPhonemes(phoneme: string, alphabet: 'ipa' | 'x-sampa'): string {
  return `[[${ipaToEspeak(alphabet === 'ipa' ? phoneme : xsampaToIpa(phoneme))}]]`;
}
