import { digitWords } from './number-words';

const NIGERIA_CODE = '234';

/**
 * Splits a digit run into groups a listener can hold: threes, with the last one or two groups of
 * four so nothing is left dangling (10 → 3-3-4, 8 → 4-4, 11 → 3-4-4).
 */
export function groupDigits(digits: string): string[] {
  const n = digits.length;
  if (n <= 4) return [digits];
  const fours = n % 3 === 1 ? 1 : n % 3 === 2 ? 2 : 0;
  const threes = (n - fours * 4) / 3;
  if (threes < 0) return [digits];
  const groups: string[] = [];
  let at = 0;
  for (let i = 0; i < threes; i++, at += 3) groups.push(digits.slice(at, at + 3));
  for (let i = 0; i < fours; i++, at += 4) groups.push(digits.slice(at, at + 4));
  return groups;
}

/** A Nigerian national number without its leading 0: mobiles 803 123 4567, Lagos lines 1 234 5678. */
function nationalGroups(national: string): string[] {
  if (national.length === 10)
    return [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  if (national.length === 8) return [national.slice(0, 1), national.slice(1, 4), national.slice(4)];
  return groupDigits(national);
}

/** Reads digit groups with a short pause between them: "zero eight zero three, one two three". */
export function readDigitGroups(groups: string[]): string {
  return groups.map(digitWords).join(', ');
}

/**
 * Reads a telephone number digit by digit in groups. Groups the writer made with spaces or dashes
 * are kept; an unbroken Nigerian number is grouped 4-3-4 (0803 123 4567) or, with +234, as
 * 234 803 123 4567. Returns null when the text holds anything but digits, "+" and separators.
 */
export function telephoneWords(text: string): string | null {
  const trimmed = text.trim();
  if (!/^\+?[\d\s\-.()]+$/.test(trimmed) || !/\d/.test(trimmed)) return null;
  const plus = trimmed.startsWith('+');
  let groups = trimmed
    .replace(/^\+/, '')
    .split(/[\s\-.()]+/)
    .filter(Boolean);
  const digits = groups.join('');

  if (digits.startsWith(NIGERIA_CODE) && (plus || digits.length === 13)) {
    // "+234 (0)803 ..." — the bracketed trunk zero is not dialled, so it is not read.
    if (groups[0] === NIGERIA_CODE && groups[1] === '0') groups.splice(1, 1);
    if (groups.length === 1) {
      groups = [NIGERIA_CODE, ...nationalGroups(digits.slice(3).replace(/^0/, ''))];
    } else if (groups[0] !== NIGERIA_CODE && groups[0].startsWith(NIGERIA_CODE)) {
      groups = [NIGERIA_CODE, groups[0].slice(3), ...groups.slice(1)].filter(Boolean);
    }
  } else if (groups.length === 1) {
    groups = /^0[789][01]\d{8}$/.test(digits)
      ? [digits.slice(0, 4), digits.slice(4, 7), digits.slice(7)]
      : groupDigits(digits);
  }
  return (plus ? 'plus ' : '') + readDigitGroups(groups);
}
