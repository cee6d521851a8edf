import { SaxesParser, SaxesTagPlain } from 'saxes';
import type { SayAs } from '../normalize/say-as';
import { isPhonemeAlphabet, type PhonemeAlphabet } from '../pronunciation/pronunciation-rule';
import type { PronunciationTable } from '../pronunciation/pronunciation-table';
import { SegmentBuilder } from './segment-builder';
import {
  PARAGRAPH_BREAK_MS,
  SsmlValueError,
  applyEmphasis,
  applyProsody,
  parseBreak,
} from './ssml-attributes';
import { SsmlError } from './ssml.error';
import { DEFAULT_PROSODY, Prosody, SpeechSegment } from './speech-segment';

interface Frame {
  name: string;
  prosody: Prosody;
}

/** An element whose text is not spoken as it stands: read via say-as, replaced, or dropped. */
interface Capture {
  kind: 'say-as' | 'sub' | 'silent' | 'phoneme';
  /** Stack depth of the capturing element, to recognise its own close tag. */
  depth: number;
  prosody: Prosody;
  text: string;
  sayAs?: SayAs;
  alias?: string;
  phoneme?: { ph: string; alphabet: PhonemeAlphabet };
}

/** How `<phoneme>` is read: into a table of pronunciations, or (without one) as its text. */
export interface SsmlPronunciations {
  table: PronunciationTable;
  /** The engine takes phonemes; otherwise the element's text is spoken and noted as skipped. */
  phonemes: boolean;
}

/** Elements whose content is not meant to be heard (document metadata, audio descriptions). */
const SILENT_ELEMENTS = new Set(['meta', 'metadata', 'lexicon', 'desc']);

function required(tag: SaxesTagPlain, attribute: string): string {
  const value = tag.attributes[attribute];
  if (value === undefined || (attribute !== 'alias' && !value.trim())) {
    throw new SsmlValueError(`<${tag.name}> needs a ${attribute} attribute`);
  }
  return value;
}

/**
 * Parses SSML into speech segments. The root must be `<speak>`. Supported: p, s, break, prosody,
 * emphasis, say-as, sub, mark, and phoneme when `pronunciations` is given (its text stands in the
 * segment as a table token); other elements are transparent (their text is spoken). Throws
 * SsmlError for XML that is not well formed and for bad values on supported elements.
 */
export function parseSsml(xml: string, pronunciations?: SsmlPronunciations): SpeechSegment[] {
  const parser = new SaxesParser({ xmlns: false });
  const builder = new SegmentBuilder(PARAGRAPH_BREAK_MS);
  const stack: Frame[] = [];
  let capture: Capture | undefined;

  const fail = (reason: string): never => {
    throw new SsmlError(reason, parser.line, parser.column);
  };
  const prosody = (): Prosody => stack.at(-1)?.prosody ?? DEFAULT_PROSODY;

  const open = (tag: SaxesTagPlain): Prosody => {
    const current = prosody();
    const attributes = tag.attributes;
    switch (tag.name) {
      case 'p':
      case 'paragraph':
        builder.paragraphBoundary();
        return current;
      case 's':
      case 'sentence':
        builder.sentenceBoundary();
        return current;
      case 'break':
        builder.addBreak(parseBreak(attributes.time, attributes.strength));
        return current;
      case 'mark':
        builder.addMark(required(tag, 'name'));
        return current;
      case 'prosody':
        return applyProsody(current, attributes);
      case 'emphasis':
        return applyEmphasis(current, attributes.level);
      case 'say-as': {
        const sayAs: SayAs = { interpretAs: required(tag, 'interpret-as').trim() };
        if (attributes.format) sayAs.format = attributes.format.trim();
        if (attributes.detail) sayAs.detail = attributes.detail.trim();
        capture = { kind: 'say-as', depth: stack.length + 1, prosody: current, text: '', sayAs };
        return current;
      }
      case 'sub':
        capture = {
          kind: 'sub',
          depth: stack.length + 1,
          prosody: current,
          text: '',
          alias: required(tag, 'alias'),
        };
        return current;
      case 'phoneme': {
        if (!pronunciations) return current;
        const alphabet = (attributes.alphabet ?? 'ipa').trim().toLowerCase();
        if (!isPhonemeAlphabet(alphabet)) {
          throw new SsmlValueError(`phoneme alphabet "${alphabet}" must be ipa or x-sampa`);
        }
        capture = {
          kind: 'phoneme',
          depth: stack.length + 1,
          prosody: current,
          text: '',
          phoneme: { ph: required(tag, 'ph').trim(), alphabet },
        };
        return current;
      }
      default:
        if (SILENT_ELEMENTS.has(tag.name)) {
          capture = { kind: 'silent', depth: stack.length + 1, prosody: current, text: '' };
        }
        return current;
    }
  };

  const addPhoneme = (phoneme: Capture): void => {
    const original = phoneme.text.replace(/\s+/g, ' ').trim();
    if (!pronunciations || !phoneme.phoneme || !original) return;
    const source = { dictionaryId: 'ssml' };
    const { table } = pronunciations;
    if (!pronunciations.phonemes) {
      table.skipped.push({ original, source });
      builder.addText(original, phoneme.prosody);
      return;
    }
    const { ph, alphabet } = phoneme.phoneme;
    const token = table.add({ original, say: { kind: 'phoneme', phoneme: ph, alphabet }, source });
    builder.addText(token ?? original, phoneme.prosody);
  };

  const close = (name: string): void => {
    if (capture && stack.length === capture.depth) {
      if (capture.kind === 'say-as') builder.addText(capture.text, capture.prosody, capture.sayAs);
      if (capture.kind === 'sub') builder.addText(capture.alias ?? '', capture.prosody);
      if (capture.kind === 'phoneme') addPhoneme(capture);
      capture = undefined;
    } else if (!capture && (name === 'p' || name === 'paragraph')) {
      builder.paragraphBoundary();
    } else if (!capture && (name === 's' || name === 'sentence')) {
      builder.sentenceBoundary();
    }
    stack.pop();
  };

  const text = (data: string): void => {
    if (!stack.length) return;
    if (capture) {
      if (capture.kind === 'say-as' || capture.kind === 'phoneme') capture.text += data;
      return;
    }
    builder.addText(data, prosody());
  };

  parser.on('error', (error) => fail(error.message.replace(/^\d+:\d+: /, '')));
  parser.on('opentag', (tag) => {
    if (!stack.length && tag.name !== 'speak') {
      fail(`the root element must be <speak>, found <${tag.name}>`);
    }
    // Inside say-as, sub or a silent element, nested markup only contributes its text.
    if (capture) {
      stack.push({ name: tag.name, prosody: prosody() });
      return;
    }
    try {
      stack.push({ name: tag.name, prosody: open(tag) });
    } catch (error) {
      if (error instanceof SsmlValueError) fail(error.message);
      throw error;
    }
  });
  parser.on('closetag', (tag) => close(tag.name));
  parser.on('text', text);
  parser.on('cdata', text);

  parser.write(xml).close();
  return builder.finish();
}
