import {
  DateParts,
  dateWords,
  isValidDate,
  isValidTime,
  monthNumber,
  parseMeridiem,
  timeWords,
  expandYear,
} from './date-time';
import { CURRENCY_BY_SYMBOL, currencyWords } from './currency';
import { isEnglish, normalizeText } from './normalize-text';
import { digitWords, numberWords, ordinalWords } from './number-words';
import { telephoneWords } from './phone';

/** An SSML `<say-as>` instruction, as written on the element. */
export interface SayAs {
  interpretAs: string;
  format?: string;
  detail?: string;
}

const CHARACTER_WORDS: Record<string, string> = {
  '.': 'dot',
  '-': 'dash',
  _: 'underscore',
  '@': 'at',
  '&': 'and',
  '+': 'plus',
  '/': 'slash',
  '#': 'hash',
  '*': 'star',
};

function spellOut(text: string, english: boolean): string {
  return [...text.replace(/\s+/g, '')]
    .map((c) => {
      if (/\d/.test(c)) return english ? digitWords(c) : c;
      if (/\p{L}/u.test(c)) return c.toUpperCase();
      return english ? (CHARACTER_WORDS[c] ?? '') : '';
    })
    .filter(Boolean)
    .join(' ');
}

/** Date field order from a say-as format such as "dmy"; day first is the Nigerian default. */
function readSayAsDate(text: string, format: string | undefined): string | null {
  const parts = text
    .trim()
    .split(/[/\-.,\s]+/)
    .filter(Boolean);
  const order = (format ?? (/^\d{4}$/.test(parts[0] ?? '') ? 'ymd' : 'dmy')).toLowerCase();
  if (!/^[dmy]{1,3}$/.test(order) || order.length !== parts.length) return null;
  const date: DateParts = {};
  for (let i = 0; i < order.length; i++) {
    const part = parts[i].replace(/(?<=\d)(?:st|nd|rd|th)$/i, '');
    const value = /^\d+$/.test(part) ? Number(part) : undefined;
    switch (order[i]) {
      case 'd':
        date.day = value;
        break;
      case 'm':
        date.month = value ?? monthNumber(part);
        break;
      default:
        date.year = value !== undefined ? expandYear(part) : undefined;
    }
  }
  const complete = [...order].every(
    (f) => (f === 'd' ? date.day : f === 'm' ? date.month : date.year) !== undefined,
  );
  return complete && isValidDate(date) ? dateWords(date) : null;
}

function readSayAsTime(text: string): string | null {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?$/i.exec(text.trim());
  if (!match) return null;
  const [, h, m = '0', s = '0', mer] = match;
  const meridiem = parseMeridiem(mer);
  if (!isValidTime(Number(h), Number(m), Number(s), meridiem)) return null;
  return timeWords(Number(h), Number(m), Number(s), meridiem);
}

function readSayAsCurrency(text: string, format: string | undefined): string | null {
  const bare = text.trim();
  const code = format?.toUpperCase();
  const names = CURRENCY_BY_SYMBOL.find(([symbol]) => symbol === code)?.[1];
  if (names && /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/.test(bare))
    return currencyWords(bare, names);
  return null;
}

/**
 * Renders the text of a `<say-as>` element as words. Values the renderer cannot read the requested
 * way fall back to ordinary normalization, so a mistaken hint never silences the text.
 * For languages other than English only the language-neutral interpretations (spelling out,
 * digits, telephone grouping) change anything.
 */
export function renderSayAs(text: string, sayAs: SayAs, language = 'en'): string {
  const english = isEnglish(language);
  const trimmed = text.replace(/\s+/g, ' ').trim();
  const interpretAs = sayAs.interpretAs.toLowerCase();
  const format = sayAs.format?.toLowerCase();
  const fallback = (): string => normalizeText(trimmed, language);
  if (!trimmed) return '';

  switch (interpretAs) {
    case 'characters':
    case 'spell-out':
    case 'verbatim':
    case 'letters':
      return spellOut(trimmed, english);
    case 'digits':
      return english ? digitWords(trimmed) || fallback() : spellOut(trimmed, false);
    case 'telephone': {
      if (!english) {
        return trimmed
          .split(/[\s\-.()]+/)
          .filter(Boolean)
          .map((group) => [...group].join(' '))
          .join(', ');
      }
      return telephoneWords(trimmed) ?? fallback();
    }
    default:
      break;
  }
  if (!english) return fallback();

  switch (interpretAs) {
    case 'cardinal':
    case 'number': {
      const compact = trimmed.replace(/\s/g, '');
      if (format === 'ordinal') return renderSayAs(compact, { interpretAs: 'ordinal' });
      if (format === 'digits') return digitWords(compact) || fallback();
      if (format === 'telephone') return telephoneWords(compact) ?? fallback();
      return numberWords(compact) ?? fallback();
    }
    case 'ordinal': {
      const digits = trimmed.replace(/[,\s]/g, '').replace(/(?:st|nd|rd|th)$/i, '');
      return /^\d+$/.test(digits) ? ordinalWords(digits) : fallback();
    }
    case 'date':
      return readSayAsDate(trimmed, format) ?? fallback();
    case 'time':
      return readSayAsTime(trimmed) ?? fallback();
    case 'currency':
      return readSayAsCurrency(trimmed, format ?? sayAs.detail) ?? fallback();
    default:
      return fallback();
  }
}
