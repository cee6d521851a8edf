const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

/** Longest integer read as a quantity; anything longer is an identifier and is read digit by digit. */
export const MAX_CARDINAL_DIGITS = SCALES.length * 3;

const IRREGULAR_ORDINALS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function underHundred(n: number): string {
  if (n < 20) return ONES[n];
  const unit = n % 10;
  return TENS[Math.floor(n / 10)] + (unit ? `-${ONES[unit]}` : '');
}

function underThousand(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (!hundreds) return underHundred(rest);
  return `${ONES[hundreds]} hundred` + (rest ? ` and ${underHundred(rest)}` : '');
}

/** Reads each digit: "0803" → "zero eight zero three". Non-digits are dropped. */
export function digitWords(digits: string): string {
  return [...digits]
    .filter((c) => c >= '0' && c <= '9')
    .map((c) => ONES[Number(c)])
    .join(' ');
}

/**
 * British cardinal with "and": 1250 → "one thousand two hundred and fifty", 1005 → "one thousand
 * and five". Takes a digit string so large values never pass through floating point.
 */
export function cardinalWords(value: string | number): string {
  const digits = typeof value === 'number' ? String(Math.trunc(Math.abs(value))) : value;
  if (!/^\d+$/.test(digits)) throw new RangeError(`not a non-negative integer: ${digits}`);
  const trimmed = digits.replace(/^0+/, '');
  if (!trimmed) return 'zero';
  if (trimmed.length > MAX_CARDINAL_DIGITS) return digitWords(trimmed);

  const groups: number[] = [];
  for (let end = trimmed.length; end > 0; end -= 3) {
    groups.push(Number(trimmed.slice(Math.max(0, end - 3), end)));
  }
  const words: string[] = [];
  for (let scale = groups.length - 1; scale >= 0; scale--) {
    const group = groups[scale];
    if (!group) continue;
    let part = underThousand(group);
    if (SCALES[scale]) part += ` ${SCALES[scale]}`;
    // "one thousand and five": British English links a final group under a hundred with "and".
    if (scale === 0 && group < 100 && words.length) part = `and ${part}`;
    words.push(part);
  }
  return words.join(' ');
}

/** Turns the last word of a cardinal into its ordinal: "twenty-one" → "twenty-first". */
export function toOrdinal(cardinal: string): string {
  const match = /^(.*?)([a-z]+)$/.exec(cardinal);
  if (!match) return cardinal;
  const [, head, last] = match;
  const ordinal =
    IRREGULAR_ORDINALS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return head + ordinal;
}

export function ordinalWords(value: string | number): string {
  return toOrdinal(cardinalWords(value));
}

/** "3.50" → "three point five zero": digits after the point are read one by one. */
export function decimalWords(integerPart: string, fraction: string): string {
  const whole = cardinalWords(integerPart || '0');
  return fraction ? `${whole} point ${digitWords(fraction)}` : whole;
}

/**
 * Reads a written number such as "1,250", "-3.5" or "007". Returns null when the text is not a
 * plain number. Leading zeros mark an identifier, so those are read digit by digit.
 */
export function numberWords(text: string): string | null {
  const match = /^([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const [, sign, rawInteger, fraction = ''] = match;
  const integer = rawInteger.replace(/,/g, '');
  const prefix = sign ? 'minus ' : '';
  if (integer.length > 1 && integer.startsWith('0') && !fraction) {
    return prefix + digitWords(integer);
  }
  return prefix + decimalWords(integer, fraction);
}

/**
 * Reads a year the way people say it: 1999 → "nineteen ninety-nine", 2005 → "two thousand and
 * five", 2024 → "twenty twenty-four", 1900 → "nineteen hundred".
 */
export function yearWords(year: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return cardinalWords(Math.abs(year));
  const century = Math.floor(year / 100);
  const rest = year % 100;
  if (year % 1000 < 10 && century % 10 === 0) return cardinalWords(year);
  if (rest === 0) return `${underHundred(century)} hundred`;
  return `${underHundred(century)} ${rest < 10 ? `oh ${ONES[rest]}` : underHundred(rest)}`;
}
