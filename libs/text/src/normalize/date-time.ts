import { cardinalWords, ordinalWords, yearWords } from './number-words';

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Month names and their usual written short forms, for building patterns. */
export const MONTH_NAME_PATTERN =
  'January|February|March|April|May|June|July|August|September|October|November|December|' +
  'Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec';

/** 1-based month for "Dec", "December" or "Sept"; undefined when not a month name. */
export function monthNumber(name: string): number | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (lower.length < 3) return undefined;
  const index = MONTHS.findIndex((m) => m.toLowerCase().startsWith(lower.slice(0, 3)));
  if (index < 0) return undefined;
  return MONTHS[index].toLowerCase().startsWith(lower) ? index + 1 : undefined;
}

export interface DateParts {
  day?: number;
  month?: number;
  year?: number;
}

function daysInMonth(month: number, year?: number): number {
  if (month === 2) {
    if (year === undefined) return 29;
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidDate({ day, month, year }: DateParts): boolean {
  if (month !== undefined && (month < 1 || month > 12)) return false;
  if (day !== undefined) {
    if (day < 1 || day > 31) return false;
    if (month !== undefined && day > daysInMonth(month, year)) return false;
  }
  return year === undefined || (year >= 0 && year <= 9999);
}

/** "the twenty-fifth of December, twenty twenty-four", or whatever part of it is present. */
export function dateWords({ day, month, year }: DateParts): string {
  const monthName = month ? MONTHS[month - 1] : undefined;
  const yearText = year !== undefined ? yearWords(year) : undefined;
  if (day !== undefined && monthName) {
    return `the ${ordinalWords(day)} of ${monthName}` + (yearText ? `, ${yearText}` : '');
  }
  if (monthName) return yearText ? `${monthName} ${yearText}` : monthName;
  if (day !== undefined) return `the ${ordinalWords(day)}`;
  return yearText ?? '';
}

/**
 * Two-digit years are taken as the nearest plausible one: up to ten years ahead of `now`, else the
 * previous century ("1/1/99" is 1999, "1/1/30" is 2030).
 */
export function expandYear(written: string, now = new Date()): number {
  const year = Number(written);
  if (written.length > 2) return year;
  const current = now.getFullYear();
  const century = current - (current % 100);
  return century + year > current + 10 ? century - 100 + year : century + year;
}

export type Meridiem = 'am' | 'pm';

/** Parses "pm", "P.M.", "a.m" into a meridiem. */
export function parseMeridiem(text: string | undefined): Meridiem | undefined {
  if (!text) return undefined;
  const letters = text.toLowerCase().replace(/[.\s]/g, '');
  return letters === 'am' || letters === 'pm' ? letters : undefined;
}

export function isValidTime(
  hour: number,
  minute: number,
  second = 0,
  meridiem?: Meridiem,
): boolean {
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  return meridiem ? hour >= 1 && hour <= 12 : hour >= 0 && hour <= 23;
}

function minuteWords(minute: number): string {
  return minute < 10 ? `oh ${cardinalWords(minute)}` : cardinalWords(minute);
}

/**
 * "3:30pm" → "three thirty p m", "14:05" → "fourteen oh five", "9:00" → "nine o'clock",
 * "18:00" → "eighteen hundred". Callers check isValidTime first.
 */
export function timeWords(hour: number, minute: number, second = 0, meridiem?: Meridiem): string {
  let text: string;
  if (!meridiem && hour === 0 && minute === 0 && second === 0) return 'midnight';
  if (meridiem) {
    text = cardinalWords(hour) + (minute ? ` ${minuteWords(minute)}` : '') + ` ${meridiem[0]} m`;
  } else if (hour === 0) {
    // Nobody says "zero thirty": 00:30 is half past midnight.
    text = `twelve ${minute ? minuteWords(minute) : "o'clock"} a m`;
  } else if (minute) {
    text = `${cardinalWords(hour)} ${minuteWords(minute)}`;
  } else {
    text = hour <= 12 ? `${cardinalWords(hour)} o'clock` : `${cardinalWords(hour)} hundred`;
  }
  if (second) text += ` and ${cardinalWords(second)} second${second === 1 ? '' : 's'}`;
  return text;
}
