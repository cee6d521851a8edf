import {
  DOTLESS_STREET_WORDS,
  DOTLESS_TITLES,
  DOTTED_WORDS,
  SENTENCE_FINAL_WORDS,
  TITLES,
} from './abbreviations';
import { CURRENCY_BY_SYMBOL, CurrencyNames, currencyWords, magnitudeWord } from './currency';
import {
  DateParts,
  MONTH_NAME_PATTERN,
  dateWords,
  expandYear,
  isValidDate,
  isValidTime,
  monthNumber,
  parseMeridiem,
  timeWords,
} from './date-time';
import { cardinalWords, numberWords, ordinalWords, toOrdinal, yearWords } from './number-words';
import { groupDigits, readDigitGroups, telephoneWords } from './phone';
import { EMAIL_PATTERN, URL_PATTERN, webAddressWords } from './web-address';

type Rule = (text: string) => string;

/** A written number: "1,250.50", "3.5", "42". */
const NUM = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
/** Not glued to a word or to another number ("mp3", "1.2.3", "1,2"). */
const FREE = String.raw`(?<![\w.,])`;
/** Not followed by more of a word or number. */
const END = String.raw`(?![\w]|[.,]\d)`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when what follows a consumed dot shows that the dot also ended the sentence. */
function endsSentence(rest: string): boolean {
  return /^\s*$/.test(rest) || /^\s+["“'‘(]?[A-Z]/.test(rest);
}

/**
 * The few words before `at`, for context checks; a bounded window keeps end-anchored patterns
 * from rescanning the whole text on every match.
 */
function wordsBefore(text: string, at: number, window = 60): string {
  return text.slice(Math.max(0, at - window), at);
}

function readNumber(raw: string): string {
  return numberWords(raw) ?? raw;
}

export function isEnglish(language: string): boolean {
  return /^en(?:[-_]|$)/i.test(language.trim());
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Markdown an LLM may emit would otherwise be read aloud as "asterisk" or "hash". */
const stripMarkdown: Rule = (text) =>
  text
    .replace(/\*+/g, '')
    .replace(/^[ \t]*#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]*[-•][ \t]+/gm, '');

/** A blank line ends a thought; give it a full stop so it is voiced (and split) as one. */
const paragraphsToSentences: Rule = (text) =>
  text.replace(/([^\s.!?…:;,])[ \t]*\n[ \t]*\n\s*/g, '$1. ');

const webAddresses: Rule = (text) =>
  text
    .replace(EMAIL_PATTERN, (email) => webAddressWords(email))
    .replace(URL_PATTERN, (url) => webAddressWords(url));

type DateReader = (groups: Array<string | undefined>) => string | null;

/**
 * Replaces dates matched by `pattern`; `read` returns null to leave a match alone. A written "the"
 * before the date is dropped because the spoken form brings its own ("the 3rd of May").
 */
function replaceDates(text: string, pattern: RegExp, read: DateReader): string {
  return text.replace(pattern, (...args: unknown[]) => {
    const match = args[0] as string;
    const at = args[args.length - 2] as number;
    const spoken = read(args.slice(1, -2) as Array<string | undefined>);
    if (spoken === null) return match;
    return /\bthe\s+$/i.test(wordsBefore(text, at)) ? spoken.replace(/^the /, '') : spoken;
  });
}

function readDate(parts: DateParts): string | null {
  return isValidDate(parts) ? dateWords(parts) : null;
}

const ISO_DATE =
  /(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w-]|[.:]\d)/g;
const NUMERIC_DATE = /(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)/g;
const DAY_MONTH = new RegExp(
  String.raw`\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(${MONTH_NAME_PATTERN})\b(?:\.?,?\s+(\d{4})${END})?`,
  'g',
);
const MONTH_DAY = new RegExp(
  String.raw`\b(${MONTH_NAME_PATTERN})\b\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(\d{4})${END})?\b`,
  'g',
);
const MONTH_YEAR = new RegExp(String.raw`\b(${MONTH_NAME_PATTERN})\b\.?,?\s+(\d{4})${END}`, 'g');

const dates: Rule = (text) => {
  let out = replaceDates(text, ISO_DATE, ([y, m, d, hh, mm]) => {
    const date = readDate({ day: Number(d), month: Number(m), year: Number(y) });
    if (date === null) return null;
    const hasTime = hh !== undefined && isValidTime(Number(hh), Number(mm));
    return hasTime ? `${date} at ${timeWords(Number(hh), Number(mm))}` : date;
  });
  out = replaceDates(out, NUMERIC_DATE, ([first, separator, second, y = '']) => {
    if (separator === '.' && y.length === 2) return null;
    const year = expandYear(y);
    // Nigerian dates are day first; read month first only when day first is impossible.
    return (
      readDate({ day: Number(first), month: Number(second), year }) ??
      readDate({ day: Number(second), month: Number(first), year }) ??
      [first, second, y].map((part) => readNumber(part ?? '')).join(' slash ')
    );
  });
  out = replaceDates(out, DAY_MONTH, ([d, name = '', y]) =>
    readDate({ day: Number(d), month: monthNumber(name), year: y ? Number(y) : undefined }),
  );
  out = replaceDates(out, MONTH_DAY, ([name = '', d, y]) =>
    readDate({ day: Number(d), month: monthNumber(name), year: y ? Number(y) : undefined }),
  );
  return replaceDates(out, MONTH_YEAR, ([name = '', y]) =>
    readDate({ month: monthNumber(name), year: Number(y) }),
  );
};

function renderTime(
  match: string,
  rest: string,
  hour: number,
  minute: number,
  second: number,
  meridiemText?: string,
): string {
  const meridiem = parseMeridiem(meridiemText);
  if (!isValidTime(hour, minute, second, meridiem)) return match;
  const dot = meridiemText?.endsWith('.') && endsSentence(rest) ? '.' : '';
  return timeWords(hour, minute, second, meridiem) + dot;
}

const MERIDIEM = String.raw`([ap]\.?m\.?)(?!\w)`;

const times: Rule = (text) =>
  text
    .replace(
      new RegExp(
        String.raw`(?<![\w:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s?${MERIDIEM})?(?![\w:]|\.\d)`,
        'gi',
      ),
      (
        match,
        h: string,
        m: string,
        s: string | undefined,
        mer: string | undefined,
        at: number,
        all: string,
      ) =>
        renderTime(match, all.slice(at + match.length), Number(h), Number(m), Number(s ?? 0), mer),
    )
    .replace(
      new RegExp(String.raw`(?<![\w:.,])(\d{1,2})(?:\.(\d{2}))?\s?${MERIDIEM}`, 'gi'),
      (match, h: string, m: string | undefined, mer: string, at: number, all: string) =>
        renderTime(match, all.slice(at + match.length), Number(h), Number(m ?? 0), 0, mer),
    );

const SYMBOL_ALTERNATION = CURRENCY_BY_SYMBOL.map(([symbol]) => escapeRegExp(symbol)).join('|');
const MAGNITUDE = String.raw`(?:\s?(thousand|million|billion|trillion)\b|(k|K|m|mn|bn|b|tn)\b)`;
const MONEY_CONTEXT =
  /\b(?:pay|paid|paying|cost|costs|price|prices|fee|fees|charge|charged|balance|amount|send|sent|transfer|transferred|deposit|deposited|withdraw|withdrew|owe|owes|owing|worth|debit|debited|credit|credited|total|refund|refunded|airtime|naira|sum)\b/i;

function currencyFor(symbol: string): CurrencyNames {
  const found = CURRENCY_BY_SYMBOL.find(([s]) => s === symbol.toUpperCase());
  if (!found) throw new Error(`unknown currency symbol ${symbol}`);
  return found[1];
}

function money(
  sign: string | undefined,
  amount: string,
  names: CurrencyNames,
  mag?: string,
): string {
  return (sign ? 'minus ' : '') + currencyWords(amount, names, mag);
}

const currency: Rule = (text) =>
  text
    .replace(
      new RegExp(
        String.raw`(?<![A-Za-z0-9])([-−])?(${SYMBOL_ALTERNATION})\s?(${NUM})${MAGNITUDE}?(?![\w]|[.,]\d)`,
        'g',
      ),
      (
        _m,
        sign: string | undefined,
        symbol: string,
        amount: string,
        word?: string,
        short?: string,
      ) => money(sign, amount, currencyFor(symbol), word ?? short),
    )
    .replace(
      new RegExp(String.raw`${FREE}(${NUM})\s?(NGN|USD|GBP|EUR)\b`, 'g'),
      (_m, amount: string, code: string) => money(undefined, amount, currencyFor(code)),
    )
    .replace(
      new RegExp(String.raw`(?<![A-Za-z0-9])N(${NUM})${MAGNITUDE}?(?![\w]|[.,]\d)`, 'g'),
      (
        match,
        amount: string,
        word: string | undefined,
        short: string | undefined,
        at: number,
        all: string,
      ) => {
        // "N" is also a letter (N95 masks): only read it as naira when it clearly is money.
        const clearlyMoney =
          /,\d{3}/.test(amount) ||
          /\.\d{2}$/.test(amount) ||
          Boolean(word ?? short) ||
          MONEY_CONTEXT.test(wordsBefore(all, at, 40));
        return clearlyMoney ? money(undefined, amount, currencyFor('NGN'), word ?? short) : match;
      },
    );

function phoneOrKeep(match: string): string {
  const digits = match.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return match;
  return telephoneWords(match) ?? match;
}

const phones: Rule = (text) =>
  text
    .replace(
      /(?<![\w+])\+234[ .-]?(?:\(0\) ?)?(?:[789][01]\d[ .-]?\d{3}[ .-]?\d{4}|1[ .-]?\d{3}[ .-]?\d{4})(?![\w]|[.,]\d)/g,
      phoneOrKeep,
    )
    .replace(/(?<![\w+])\+\d+(?:(?:[ .-]| ?\(\d+\) ?)\d+)*(?![\w]|[.,]\d)/g, phoneOrKeep)
    .replace(/(?<![\w+.,])0[789][01]\d[ -]?\d{3}[ -]?\d{4}(?![\w]|[.,]\d)/g, phoneOrKeep)
    .replace(/(?<![\w+.,])0\d+(?:[ -]\d+)*(?![\w]|[.,]\d)/g, phoneOrKeep);

function expandWords(
  text: string,
  table: Readonly<Record<string, string>>,
  keepDot: (rest: string) => boolean,
): string {
  const keys = Object.keys(table).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\w.])(?:${keys.map(escapeRegExp).join('|')})`, 'gi');
  return text.replace(pattern, (match: string, at: number, all: string) => {
    const key =
      keys.find((k) => k === match) ?? keys.find((k) => k.toLowerCase() === match.toLowerCase());
    if (!key) return match;
    return table[key] + (keepDot(all.slice(at + match.length)) ? '.' : '');
  });
}

const abbreviations: Rule = (text) => {
  const titles = Object.keys(TITLES).join('|');
  let out = text
    // Any dotted title before a name ("Gen. Musa"); "Gen." alone may be something else.
    .replace(new RegExp(String.raw`\b(${titles})\.(?=\s*[A-Z])`, 'g'), (_m, t: string) => TITLES[t])
    // The everyday titles are unambiguous even before a lowercase word ("the Dr. is in").
    .replace(
      new RegExp(String.raw`\b(${DOTLESS_TITLES.join('|')})\.`, 'g'),
      (_m, t: string, at: number, all: string) =>
        TITLES[t] + (/^\s*$/.test(all.slice(at + _m.length)) ? '.' : ''),
    )
    .replace(
      new RegExp(String.raw`\b(${DOTLESS_TITLES.join('|')})\b(?!\.)(?=\s+[A-Z])`, 'g'),
      (_m, t: string) => TITLES[t],
    )
    .replace(/\b[Nn]o\.\s?(?=\d)/g, 'number ')
    .replace(/#(?=\d)/g, 'number ')
    .replace(
      /\b(St)(\.?)(?=[\s,;:]|$)/g,
      (match, _st: string, dot: string, at: number, all: string) => {
        const before = wordsBefore(all, at);
        const after = all.slice(at + match.length);
        const address = /\d+[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}$/.test(before);
        if (/^\s+[A-Z]/.test(after) && !address) return 'Saint';
        if (address || /[A-Z][\w'-]*\s+$/.test(before)) {
          return 'Street' + (dot && /^\s*$/.test(after) ? '.' : '');
        }
        return dot ? 'Street' : match;
      },
    );
  out = expandWords(out, DOTTED_WORDS, () => false);
  // "Alpha Co. Ltd." is one name; only a capital that starts a new sentence keeps the dot.
  out = expandWords(
    out,
    SENTENCE_FINAL_WORDS,
    (rest) => endsSentence(rest) && !/^\s+(?:Ltd|Limited|Inc|Plc|PLC)\b/.test(rest),
  );
  out = out
    .replace(/\bvs\b/g, 'versus')
    .replace(/\bapprox\b/g, 'approximately')
    .replace(/\betc\b/g, 'et cetera');
  for (const [short, long] of Object.entries(DOTLESS_STREET_WORDS)) {
    out = out.replace(new RegExp(String.raw`(?<=[A-Z][\w'-]*\s)${short}\b(?!\.)`, 'g'), long);
  }
  return out;
};

const percentages: Rule = (text) =>
  text.replace(
    new RegExp(String.raw`${FREE}([-−]?)(${NUM})\s?%`, 'g'),
    (_m, sign: string, n: string) => `${sign ? 'minus ' : ''}${readNumber(n)} percent`,
  );

const ordinals: Rule = (text) =>
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

const units: Rule = (text) =>
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

const fractions: Rule = (text) =>
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

const ranges: Rule = (text) =>
  text.replace(
    new RegExp(String.raw`(?<![\w.,−-])(${NUM})\s?[–-]\s?(${NUM})(?![\w]|[.,]\d|[–-]\d)`, 'g'),
    (_m, a: string, b: string) => {
      const years = isYearLike(a) && (isYearLike(b) || /^\d\d$/.test(b));
      const read = (n: string): string =>
        years && isYearLike(n) ? yearWords(Number(n)) : readNumber(n);
      return `${read(a)} to ${read(b)}`;
    },
  );

const yearsInContext: Rule = (text) =>
  text.replace(
    /\b(in|since|from|until|till|by|before|after|year|circa|around)\s+((?:1[1-9]|20)\d\d)(?![\w]|[.,]\d)/gi,
    (_m, word: string, y: string) => `${word} ${yearWords(Number(y))}`,
  );

const dottedNumbers: Rule = (text) =>
  text.replace(/(?<![\w.,])\d+(?:\.\d+){2,}(?![\w]|\.\d)/g, (match) =>
    match.split('.').map(readNumber).join(' point '),
  );

const longDigitStrings: Rule = (text) =>
  text.replace(/(?<![\w.,])\d{7,}(?![\w]|[.,]\d)/g, (digits) =>
    /^[1-9]0+$/.test(digits) && digits.length <= 15
      ? cardinalWords(digits)
      : readDigitGroups(groupDigits(digits)),
  );

const numbers: Rule = (text) =>
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

const symbols: Rule = (text) =>
  text
    .replace(/\s*&\s*/g, ' and ')
    .replace(/\s*@\s*/g, ' at ')
    .replace(/(?<=\s)\+(?=\s)/g, 'plus')
    .replace(/(?<=\s)=(?=\s)/g, 'equals')
    .replace(/%/g, ' percent');

const tidy: Rule = (text) =>
  collapseWhitespace(text)
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/,(?:\s*,)+/g, ',');

const ENGLISH_RULES: Rule[] = [
  stripMarkdown,
  paragraphsToSentences,
  collapseWhitespace,
  webAddresses,
  dates,
  times,
  currency,
  phones,
  abbreviations,
  percentages,
  ordinals,
  units,
  fractions,
  ranges,
  yearsInContext,
  dottedNumbers,
  longDigitStrings,
  numbers,
  symbols,
  tidy,
];

/**
 * Rewrites written forms (numbers, money, phone numbers, dates, times, abbreviations, web
 * addresses) as the words a caller should hear. Only English is expanded; other languages get
 * whitespace cleanup and keep their digits for the engine, which knows how to read them.
 */
export function normalizeText(text: string, language = 'en'): string {
  if (!isEnglish(language)) return collapseWhitespace(text);
  return ENGLISH_RULES.reduce((current, rule) => rule(current), text);
}
