import { cardinalWords, decimalWords } from './number-words';

export interface CurrencyNames {
  major: [singular: string, plural: string];
  minor: [singular: string, plural: string];
}

export const NAIRA: CurrencyNames = { major: ['naira', 'naira'], minor: ['kobo', 'kobo'] };
export const DOLLAR: CurrencyNames = { major: ['dollar', 'dollars'], minor: ['cent', 'cents'] };
export const POUND: CurrencyNames = { major: ['pound', 'pounds'], minor: ['penny', 'pence'] };
export const EURO: CurrencyNames = { major: ['euro', 'euros'], minor: ['cent', 'cents'] };

/** Symbols and ISO codes, longest first so "US$" wins over "$". */
export const CURRENCY_BY_SYMBOL: ReadonlyArray<[string, CurrencyNames]> = [
  ['US$', DOLLAR],
  ['NGN', NAIRA],
  ['USD', DOLLAR],
  ['GBP', POUND],
  ['EUR', EURO],
  ['₦', NAIRA],
  ['$', DOLLAR],
  ['£', POUND],
  ['€', EURO],
];

const MAGNITUDES: Record<string, string> = {
  k: 'thousand',
  thousand: 'thousand',
  m: 'million',
  mn: 'million',
  million: 'million',
  b: 'billion',
  bn: 'billion',
  billion: 'billion',
  tn: 'trillion',
  trillion: 'trillion',
};

export function magnitudeWord(suffix: string): string | undefined {
  return MAGNITUDES[suffix.toLowerCase()];
}

/**
 * Reads an amount of money: ("2,500.50", NAIRA) → "two thousand five hundred naira fifty kobo",
 * ("0.50", DOLLAR) → "fifty cents", ("2.5", NAIRA, "m") → "two point five million naira".
 */
export function currencyWords(amount: string, names: CurrencyNames, magnitude?: string): string {
  const match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match || (!match[1] && !match[2])) throw new RangeError(`not an amount: ${amount}`);
  const integer = match[1].replace(/,/g, '') || '0';
  const fraction = match[2] ?? '';
  const [majorOne, majorMany] = names.major;
  const [minorOne, minorMany] = names.minor;

  const scale = magnitude ? magnitudeWord(magnitude) : undefined;
  if (scale) return `${decimalWords(integer, fraction)} ${scale} ${majorMany}`;
  if (fraction.length > 2) return `${decimalWords(integer, fraction)} ${majorMany}`;

  const minor = fraction ? Number(fraction.padEnd(2, '0')) : 0;
  const isOne = integer.replace(/^0+/, '') === '1';
  const majorText = `${cardinalWords(integer)} ${isOne ? majorOne : majorMany}`;
  if (!minor) return majorText;
  const minorText = `${cardinalWords(minor)} ${minor === 1 ? minorOne : minorMany}`;
  return /^0+$/.test(integer) ? minorText : `${majorText} ${minorText}`;
}
