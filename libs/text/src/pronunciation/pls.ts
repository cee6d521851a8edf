/** W3C Pronunciation Lexicon Specification 1.0 (`.pls`) files in and out. */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import {
  isPhonemeAlphabet,
  type PhonemeAlphabet,
  type PronunciationRule,
} from './pronunciation-rule';

export const PLS_NAMESPACE = 'http://www.w3.org/2005/01/pronunciation-lexicon';

/** A file that is not a PLS lexicon we can read, with where it went wrong. */
export class PlsError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`Invalid PLS at line ${line}, column ${column}: ${reason}`);
    this.name = 'PlsError';
  }
}

export interface ParsedLexicon {
  /** `xml:lang` of the lexicon, when given. */
  language?: string;
  rules: PronunciationRule[];
}

interface Lexeme {
  graphemes: string[];
  phonemes: { text: string; alphabet: string }[];
  aliases: string[];
}

function alphabetOf(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Reads a PLS document into rules, one per grapheme of each lexeme: a lexeme with a phoneme gives
 * phoneme rules (its first alias kept as the fallback for engines without phonemes), one with
 * only an alias gives alias rules. Elements are matched by namespace and local name, so any
 * prefix works. Throws PlsError for XML that is not well formed or not a PLS lexicon, and when
 * there would be more than `maxRules` rules.
 */
export function parsePls(xml: string, maxRules: number): ParsedLexicon {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const rules: PronunciationRule[] = [];
  const path: string[] = [];
  let language: string | undefined;
  let lexiconAlphabet = 'ipa';
  let lexeme: Lexeme | undefined;
  let text: { into: 'grapheme' | 'phoneme' | 'alias'; value: string; alphabet: string } | undefined;

  const fail = (reason: string): never => {
    throw new PlsError(reason, parser.line, parser.column);
  };
  const inPls = (tag: SaxesTagNS) => tag.uri === PLS_NAMESPACE || tag.uri === '';

  parser.on('error', (error) => fail(error.message.replace(/^\d+:\d+: /, '')));
  parser.on('opentag', (tag) => {
    const name = inPls(tag) ? tag.local : `{${tag.uri}}${tag.local}`;
    if (!path.length) {
      if (name !== 'lexicon') fail(`the root element must be <lexicon>, found <${tag.name}>`);
      const version = tag.attributes.version?.value;
      if (version !== undefined && version !== '1.0') fail(`PLS version ${version} is not 1.0`);
      lexiconAlphabet = alphabetOf(tag.attributes.alphabet?.value ?? 'ipa');
      language = tag.attributes['xml:lang']?.value;
    } else if (name === 'lexeme' && path.at(-1) === 'lexicon') {
      lexeme = { graphemes: [], phonemes: [], aliases: [] };
    } else if (lexeme && path.at(-1) === 'lexeme') {
      if (name === 'grapheme' || name === 'alias') {
        text = { into: name, value: '', alphabet: '' };
      } else if (name === 'phoneme') {
        const own = tag.attributes.alphabet?.value;
        text = { into: name, value: '', alphabet: own ? alphabetOf(own) : lexiconAlphabet };
      }
    }
    path.push(name);
  });
  parser.on('text', (data) => {
    if (text) text.value += data;
  });
  parser.on('cdata', (data) => {
    if (text) text.value += data;
  });
  parser.on('closetag', () => {
    const name = path.pop();
    if (text && name === text.into) {
      const value = text.value.replace(/\s+/g, ' ').trim();
      if (value && lexeme) {
        if (text.into === 'grapheme') lexeme.graphemes.push(value);
        else if (text.into === 'alias') lexeme.aliases.push(value);
        else lexeme.phonemes.push({ text: value, alphabet: text.alphabet });
      }
      text = undefined;
    } else if (name === 'lexeme' && lexeme) {
      for (const rule of lexemeRules(lexeme, fail)) {
        if (rules.length >= maxRules) fail(`the lexicon has more than ${maxRules} rules`);
        rules.push(rule);
      }
      lexeme = undefined;
    }
  });

  parser.write(xml).close();
  return { ...(language ? { language } : {}), rules };
}

function lexemeRules(lexeme: Lexeme, fail: (reason: string) => never): PronunciationRule[] {
  if (!lexeme.graphemes.length) fail('a <lexeme> needs at least one <grapheme>');
  const [phoneme] = lexeme.phonemes;
  const [alias] = lexeme.aliases;
  if (!phoneme && alias === undefined) {
    fail(`the lexeme for "${lexeme.graphemes[0]}" has neither a <phoneme> nor an <alias>`);
  }
  return lexeme.graphemes.map((grapheme): PronunciationRule => {
    if (!phoneme) return { type: 'alias', stringToReplace: grapheme, alias };
    if (!isPhonemeAlphabet(phoneme.alphabet)) {
      return fail(`phoneme alphabet "${phoneme.alphabet}" must be ipa or x-sampa`);
    }
    const alphabet: PhonemeAlphabet = phoneme.alphabet;
    return {
      type: 'phoneme',
      stringToReplace: grapheme,
      phoneme: phoneme.text,
      alphabet,
      ...(alias !== undefined ? { alias } : {}),
    };
  });
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A PLS 1.0 document with one lexeme per rule (IPA by default, X-SAMPA marked per phoneme). */
export function serializePls(rules: readonly PronunciationRule[], language = 'en'): string {
  const lexemes = rules.map((rule) => {
    const lines = [`    <grapheme>${escapeXml(rule.stringToReplace)}</grapheme>`];
    if (rule.type === 'phoneme') {
      const alphabet = rule.alphabet === 'ipa' ? '' : ` alphabet="${rule.alphabet}"`;
      lines.push(`    <phoneme${alphabet}>${escapeXml(rule.phoneme)}</phoneme>`);
      if (rule.alias !== undefined) lines.push(`    <alias>${escapeXml(rule.alias)}</alias>`);
    } else {
      lines.push(`    <alias>${escapeXml(rule.alias)}</alias>`);
    }
    return `  <lexeme>\n${lines.join('\n')}\n  </lexeme>\n`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<lexicon version="1.0" xmlns="${PLS_NAMESPACE}" alphabet="ipa" xml:lang="${escapeXml(language)}">\n` +
    lexemes.join('') +
    '</lexicon>\n'
  );
}
