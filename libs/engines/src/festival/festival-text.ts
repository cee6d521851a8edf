/**
 * Text as Festival can take it. Festival reads its input as Latin-1 bytes and its English voices
 * know ASCII words only, so a piece is folded to printable ASCII first: accented Latin letters
 * lose their marks (NFKD), a few letters and typographic marks get their usual spelling, and what
 * has no ASCII spelling (other scripts, emoji, control characters) becomes a space.
 */

const SPELLED: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'ng',
  Ŋ: 'Ng',
  ɛ: 'e',
  Ɛ: 'E',
  ɔ: 'o',
  Ɔ: 'O',
  ƙ: 'k',
  Ƙ: 'K',
  ɓ: 'b',
  Ɓ: 'B',
  ɗ: 'd',
  Ɗ: 'D',
  ƴ: 'y',
  Ƴ: 'Y',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': ' - ',
  '\u2015': ' - ',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u00b7': ' ',
  '\u2022': ' ',
  '€': ' euros ',
  '£': ' pounds ',
  '₦': ' naira ',
  '¢': ' cents ',
  '¥': ' yen ',
};

const COMBINING_MARK = /\p{M}/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]$/;

/** `text` folded to printable ASCII with single spaces; empty when nothing sayable is left. */
export function toFestivalText(text: string): string {
  let out = '';
  // NFKD first: a letter and its marks (written precomposed or not) become base + marks.
  for (const char of text.normalize('NFKD')) {
    if (COMBINING_MARK.test(char)) continue;
    out += SPELLED[char] ?? (PRINTABLE_ASCII.test(char) ? char : ' ');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * A Scheme string literal holding `text` (already folded by `toFestivalText`): SIOD's reader
 * treats only backslash and double quote specially inside a string, so those two are escaped.
 */
export function schemeString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new Error('schemeString takes printable ASCII only (fold the text first)');
  }
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
