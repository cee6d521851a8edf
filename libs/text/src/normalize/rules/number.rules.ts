/** Rules that read the other numbers aloud: percentages, ordinals, units, ranges, years, digits. */
import { magnitudeWord } from '../currency';
import { cardinalWords, ordinalWords, toOrdinal, yearWords } from '../number-words';
import { groupDigits, readDigitGroups } from '../phone';
import { escapeRegExp, FREE, NUM, readNumber, type Rule, wordsBefore } from './rule-kit';

export const percentages: Rule = (text) =>
  text.replace(
    new RegExp(String.raw`${FREE}([-−]?)(${NUM})\s?%`, 'g'),
    (_m, sign: string, n: string) => `${sign ? 'minus ' : ''}${readNumber(n)} percent`,
  );

export const ordinals: Rule = (text) =>
  text.replace(/(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b/gi, (_m, n: string) =>
    ordinalWords(n.replace(/,/g, '')),
  );

const UNITS: Readonly<Record<string, [string, string]>> = {
  'km/h': ['kilometre per hour', 'kilometres per hour'],
  kph: ['kilometre per hour', 'kilometres per hour'],
  mph: ['mile per hour', 'miles per hour'],
  km: ['kilometre', 'kilometres'],
  cm: ['centimetre', 'centimetres'],
  mm: ['millimetre', 'millimetres'],
  kg: ['kilogram', 'kilograms'],
  mg: ['milligram', 'milligrams'],
  ml: ['millilitre', 'millilitres'],
  '°C': ['degree Celsius', 'degrees Celsius'],
  '°F': ['degree Fahrenheit', 'degrees Fahrenheit'],
  '°': ['degree', 'degrees'],
  kWh: ['kilowatt hour', 'kilowatt hours'],
  kW: ['kilowatt', 'kilowatts'],
  MW: ['megawatt', 'megawatts'],
  KB: ['kilobyte', 'kilobytes'],
  MB: ['megabyte', 'megabytes'],
  GB: ['gigabyte', 'gigabytes'],
  TB: ['terabyte', 'terabytes'],
  Mbps: ['megabit per second', 'megabits per second'],
  hrs: ['hour', 'hours'],
  hr: ['hour', 'hours'],
  mins: ['minute', 'minutes'],
  min: ['minute', 'minutes'],
  secs: ['second', 'seconds'],
};

const unitAlternation = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|');

export const units: Rule = (text) =>
  text
    .replace(
      new RegExp(String.raw`${FREE}([-−]?)(${NUM})\s?(${unitAlternation})(?![\w/])`, 'g'),
      (_m, sign: string, n: string, unit: string) => {
        const [one, many] = UNITS[unit];
        return `${sign ? 'minus ' : ''}${readNumber(n)} ${n === '1' && !sign ? one : many}`;
      },
    )
    .replace(
      new RegExp(String.raw`${FREE}(${NUM})(k|K|bn)\b`, 'g'),
      (_m, n: string, suffix: string) => {
        return `${readNumber(n)} ${magnitudeWord(suffix)}`;
      },
    )
    .replace(/\b(?:km|kg)\b(?!\/)/g, (unit: string, at: number, all: string) => {
      const [one, many] = UNITS[unit];
      return /\b(?:per|a|an|one)\s+$/i.test(wordsBefore(all, at)) ? one : many;
    });

export const fractions: Rule = (text) =>
  text.replace(/(?<![\w/.,])(\d+)\/(\d+)(?![\w/]|[.,]\d)/g, (match, n: string, d: string) => {
    if (match === '24/7') return 'twenty-four seven';
    if (n === d) return `${cardinalWords(n)} ${cardinalWords(d)}`;
    const num = Number(n);
    const den = Number(d);
    if (den === 0) return match;
    const plural = num === 1 ? '' : 's';
    if (den === 2) return `${cardinalWords(n)} ${num === 1 ? 'half' : 'halves'}`;
    if (den === 4) return `${cardinalWords(n)} quarter${plural}`;
    if (den >= 3 && den <= 10) return `${cardinalWords(n)} ${toOrdinal(cardinalWords(d))}${plural}`;
    return `${cardinalWords(n)} over ${cardinalWords(d)}`;
  });

function isYearLike(n: string): boolean {
  return /^(?:1[1-9]|20)\d\d$/.test(n);
}

export const ranges: Rule = (text) =>
  text.replace(
    new RegExp(String.raw`(?<![\w.,−-])(${NUM})\s?[–-]\s?(${NUM})(?![\w]|[.,]\d|[–-]\d)`, 'g'),
    (_m, a: string, b: string) => {
      const years = isYearLike(a) && (isYearLike(b) || /^\d\d$/.test(b));
      const read = (n: string): string =>
        years && isYearLike(n) ? yearWords(Number(n)) : readNumber(n);
      return `${read(a)} to ${read(b)}`;
    },
  );

export const yearsInContext: Rule = (text) =>
  text.replace(
    /\b(in|since|from|until|till|by|before|after|year|circa|around)\s+((?:1[1-9]|20)\d\d)(?![\w]|[.,]\d)/gi,
    (_m, word: string, y: string) => `${word} ${yearWords(Number(y))}`,
  );

export const dottedNumbers: Rule = (text) =>
  text.replace(/(?<![\w.,])\d+(?:\.\d+){2,}(?![\w]|\.\d)/g, (match) =>
    match.split('.').map(readNumber).join(' point '),
  );

export const longDigitStrings: Rule = (text) =>
  text.replace(/(?<![\w.,])\d{7,}(?![\w]|[.,]\d)/g, (digits) =>
    /^[1-9]0+$/.test(digits) && digits.length <= 15
      ? cardinalWords(digits)
      : readDigitGroups(groupDigits(digits)),
  );

export const numbers: Rule = (text) =>
  text
    .replace(/(?<=^|[\s(])[-−](?=\d)/g, 'minus ')
    .replace(
      /(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\d)/g,
      (match: string, _i: string, _f: string, at: number, all: string) => {
        const words = readNumber(match);
        // "4G" → "four G": keep the letters as their own word.
        return /^[A-Za-z]/.test(all.slice(at + match.length)) ? `${words} ` : words;
      },
    )
    .replace(/(?<![\w.])\.(\d+)(?!\d)/g, (_m, digits: string) => `point ${readNumber(digits)}`);
