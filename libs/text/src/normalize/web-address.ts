import { digitWords } from './number-words';

const SYMBOL_WORDS: Record<string, string> = {
  '.': 'dot',
  '/': 'slash',
  '-': 'dash',
  _: 'underscore',
  ':': 'colon',
  '?': 'question mark',
  '=': 'equals',
  '&': 'and',
  '#': 'hash',
  '%': 'percent',
  '~': 'tilde',
  '@': 'at',
  '+': 'plus',
};

/** Parts people say as words rather than letter by letter. */
const SAID_AS_WORDS = new Set(['com', 'co', 'org', 'net', 'gov', 'edu', 'info', 'mail', 'gmail']);
const SPELLED = new Set(['ng', 'uk', 'io', 'us', 'ai', 'tv', 'www']);

/** A part is said as a word when it looks pronounceable; otherwise it is spelled out. */
function readPart(part: string): string {
  if (/^\d+$/.test(part)) return digitWords(part);
  const lower = part.toLowerCase();
  if (SPELLED.has(lower)) return [...lower].join(' ');
  if (SAID_AS_WORDS.has(lower)) return lower;
  if (part.length <= 2 || !/[aeiouy]/i.test(part)) return [...lower].join(' ');
  return part;
}

/** Reads a web address or email: "info@callwaiting.ng" → "info at callwaiting dot n g". */
export function webAddressWords(address: string): string {
  const withoutScheme = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
  const tokens = withoutScheme.match(/[A-Za-z]+|\d+|[^A-Za-z0-9]/g) ?? [];
  return tokens
    .map((token) => (/^[A-Za-z0-9]+$/.test(token) ? readPart(token) : (SYMBOL_WORDS[token] ?? '')))
    .filter(Boolean)
    .join(' ');
}

const TLD = 'com|org|net|ng|io|co|uk|gov|edu|info|africa|ai|app|dev';

export const EMAIL_PATTERN = /(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?<!\.)/g;
/** Explicit scheme or www., or a lowercase bare domain with a familiar top-level domain. */
export const URL_PATTERN = new RegExp(
  String.raw`(?<![\w@.-])(?:https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]|www\.[^\s<>"]+[^\s<>".,;:!?)]|` +
    String.raw`[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:${TLD})\b(?:\/[^\s<>"]*[^\s<>".,;:!?)])?)`,
  'g',
);
