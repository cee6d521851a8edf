/** Rules on the shape of the text: markdown, paragraphs, links, abbreviations, symbols, spacing. */
import {
  DOTLESS_STREET_WORDS,
  DOTLESS_TITLES,
  DOTTED_WORDS,
  SENTENCE_FINAL_WORDS,
  TITLES,
} from '../abbreviations';
import { EMAIL_PATTERN, URL_PATTERN, webAddressWords } from '../web-address';
import { collapseWhitespace, endsSentence, escapeRegExp, type Rule, wordsBefore } from './rule-kit';

/** Markdown an LLM may emit would otherwise be read aloud as "asterisk" or "hash". */
export const stripMarkdown: Rule = (text) =>
  text
    .replace(/\*+/g, '')
    .replace(/^[ \t]*#{1,6}[ \t]+/gm, '')
    .replace(/^[ \t]*[-•][ \t]+/gm, '');

/** A blank line ends a thought; give it a full stop so it is voiced (and split) as one. */
export const paragraphsToSentences: Rule = (text) =>
  text.replace(/([^\s.!?…:;,])[ \t]*\n[ \t]*\n\s*/g, '$1. ');

export const webAddresses: Rule = (text) =>
  text
    .replace(EMAIL_PATTERN, (email) => webAddressWords(email))
    .replace(URL_PATTERN, (url) => webAddressWords(url));

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

export const abbreviations: Rule = (text) => {
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

export const symbols: Rule = (text) =>
  text
    .replace(/\s*&\s*/g, ' and ')
    .replace(/\s*@\s*/g, ' at ')
    .replace(/(?<=\s)\+(?=\s)/g, 'plus')
    .replace(/(?<=\s)=(?=\s)/g, 'equals')
    .replace(/%/g, ' percent');

export const tidy: Rule = (text) =>
  collapseWhitespace(text)
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/,(?:\s*,)+/g, ',');
