/** Rules that read dates and clock times aloud. */
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
} from '../date-time';
import { END, endsSentence, readNumber, type Rule, wordsBefore } from './rule-kit';

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

export const dates: Rule = (text) => {
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

export const times: Rule = (text) =>
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
