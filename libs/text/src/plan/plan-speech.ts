import { normalizeText } from '../normalize/normalize-text';
import type { Lexicon } from '../pronunciation/lexicon';
import type { SpanPronunciation } from '../pronunciation/pronunciation-rule';
import {
  hasToken,
  PronunciationTable,
  type SkippedReplacement,
  stripPrivateUse,
} from '../pronunciation/pronunciation-table';
import { renderSayAs } from '../normalize/say-as';
import { parseSsml } from '../ssml/parse-ssml';
import { DEFAULT_PROSODY, Prosody, SpeechSegment, sameProsody } from '../ssml/speech-segment';
import { splitForStreaming } from '../split/split-for-streaming';
import { SplitOptions, resolveSplitOptions } from '../split/split-options';

export type SpeechPlanItem =
  | {
      type: 'speak';
      /** The caller's words (normalized), including those a pronunciation replaces. */
      text: string;
      prosody: Prosody;
      /** Spans of `text` said differently (dictionary rules, SSML `<phoneme>`), in order. */
      pronunciations?: SpanPronunciation[];
    }
  | { type: 'break'; ms: number }
  | { type: 'mark'; name: string };

export interface PlanSpeechInput extends SplitOptions {
  text: string;
  /** Treat the text as SSML. Text that starts with `<speak` is SSML whatever this says. */
  ssml?: boolean;
  /** Language of the text; only English is expanded into words. Default `en`. */
  language?: string;
  /** Pronunciation dictionaries' rules, applied to the text before it is normalized. */
  lexicon?: Lexicon;
  /** The engine takes phonemes (SSML `<phoneme>`, phoneme rules). Default false. */
  phonemes?: boolean;
}

export interface DetailedPlan {
  plan: SpeechPlanItem[];
  /** Phoneme rules and elements that matched but that the engine cannot say. */
  skipped: SkippedReplacement[];
}

export function isBlank(text: string | null | undefined): boolean {
  return !text || !text.trim();
}

/** True for text that is clearly an SSML document: `<speak ...>`, optionally after an XML declaration. */
export function looksLikeSsml(text: string): boolean {
  return /^(?:<\?xml[^>]*\?>\s*)?<speak[\s>/]/.test(text.trim());
}

interface Run {
  text: string;
  prosody: Prosody;
}

type Step = Run | { type: 'break'; ms: number } | { type: 'mark'; name: string };

function isRun(step: Step): step is Run {
  return !('type' in step);
}

const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * Reads each text segment into words and joins neighbours that share a prosody, so a say-as
 * number in the middle of a sentence stays in its sentence. Text with nothing to pronounce (the
 * "." closing an <s>, a "!" after an <emphasis>) is attached to the text before it.
 */
function toRuns(
  segments: SpeechSegment[],
  language: string,
  rewrite: (text: string) => string,
): Step[] {
  const steps: Step[] = [];
  let gap = false;
  for (const segment of segments) {
    if (segment.type !== 'text') {
      steps.push(segment);
      gap = false;
      continue;
    }
    const spoken = segment.sayAs
      ? renderSayAs(segment.text, segment.sayAs, language)
      : normalizeText(rewrite(segment.text), language);
    gap ||= /^\s/.test(segment.text);
    const last = steps.at(-1);
    const previous = last && isRun(last) ? last : undefined;
    if (spoken && !SPEAKABLE.test(spoken) && !hasToken(spoken)) {
      if (previous) previous.text += spoken;
    } else if (spoken && previous && sameProsody(previous.prosody, segment.prosody)) {
      // Separate segments are separate words, unless the second starts with punctuation.
      previous.text += (gap || /^[\p{L}\p{N}]/u.test(spoken) ? ' ' : '') + spoken;
    } else if (spoken) {
      steps.push({ text: spoken, prosody: segment.prosody });
    }
    gap = /\s$/.test(segment.text);
  }
  return steps;
}

/**
 * Turns a request's text (plain or SSML) into what an engine will say: normalized text pieces
 * sized for streaming, with the pauses and marks between them. Blank input gives an empty plan;
 * callers reject it before this point. Throws SsmlError for invalid SSML.
 */
export function planSpeech(input: PlanSpeechInput): SpeechPlanItem[] {
  return planSpeechDetailed(input).plan;
}

/** `planSpeech`, and what pronunciations had to be skipped for the engine. */
export function planSpeechDetailed(input: PlanSpeechInput): DetailedPlan {
  const { ssml = false, language = 'en', lexicon, phonemes = false } = input;
  const text = stripPrivateUse(input.text);
  const options = resolveSplitOptions(input);
  const table = new PronunciationTable();
  const segments: SpeechSegment[] =
    ssml || looksLikeSsml(text)
      ? parseSsml(text, { table, phonemes })
      : [{ type: 'text', text, prosody: { ...DEFAULT_PROSODY } }];
  const rewrite = (segmentText: string) =>
    lexicon ? lexicon.apply(segmentText, table) : segmentText;

  const plan: SpeechPlanItem[] = [];
  let spokeYet = false;
  for (const step of toRuns(segments, language, rewrite)) {
    if (!isRun(step)) {
      plan.push(step);
      continue;
    }
    // Only the very first audio benefits from a short first piece.
    const firstMaxChars = spokeYet ? options.maxChars : options.firstMaxChars;
    for (const piece of splitForStreaming(step.text, { ...options, firstMaxChars })) {
      plan.push(speakItem(piece, step.prosody, table, language));
      spokeYet = true;
    }
  }
  return { plan, skipped: table.skipped };
}

/** A piece with its table tokens turned back into the caller's words and their pronunciations. */
function speakItem(
  piece: string,
  prosody: Prosody,
  table: PronunciationTable,
  language: string,
): SpeechPlanItem {
  if (!hasToken(piece)) return { type: 'speak', text: piece, prosody: { ...prosody } };
  const { text, spans } = table.decode(piece);
  const pronunciations: SpanPronunciation[] = spans.map(({ start, end, entry }) => ({
    start,
    end,
    // An alias is read like any other text ("Dr." → "Doctor").
    say:
      entry.say.kind === 'alias'
        ? { kind: 'alias', text: normalizeText(entry.say.text, language) }
        : entry.say,
    source: entry.source,
  }));
  return { type: 'speak', text, prosody: { ...prosody }, pronunciations };
}

type SpeakPlanItem = Extract<SpeechPlanItem, { type: 'speak' }>;

/**
 * A speak item's text as said: aliases in place of the words they replace, and phoneme spans
 * as `phoneme(text)` returns them (an engine's phoneme input; by default `/ipa/`). Engines that
 * take no phonemes get `aliasOnly`: a phoneme span's alias, or its original words.
 */
export function sayText(
  item: SpeakPlanItem,
  phoneme: ((say: { phoneme: string; alphabet: string }) => string) | 'aliasOnly' = (say) =>
    `/${say.phoneme}/`,
): string {
  if (!item.pronunciations?.length) return item.text;
  let out = '';
  let at = 0;
  for (const span of item.pronunciations) {
    out += item.text.slice(at, span.start);
    const { say } = span;
    if (say.kind === 'alias') out += say.text;
    else if (phoneme !== 'aliasOnly') out += phoneme(say);
    else out += say.alias ?? item.text.slice(span.start, span.end);
    at = span.end;
  }
  return out + item.text.slice(at);
}

/** Exactly the words the plan will speak, in order (phoneme spans as `/ipa/`). */
export function spokenText(plan: readonly SpeechPlanItem[]): string {
  return plan
    .filter((item): item is SpeakPlanItem => item.type === 'speak')
    .map((item) => sayText(item))
    .join(' ');
}

/** A replaced span as it appears in `describeSpoken`'s text. */
export interface SpokenReplacement extends Omit<SpanPronunciation, 'start' | 'end'> {
  /** Offsets in the spoken text (UTF-16, end exclusive) of what is said instead. */
  start: number;
  end: number;
  /** The caller's words it replaces. */
  original: string;
}

/** `spokenText`, and where in it each pronunciation stands and which rule put it there. */
export function describeSpoken(plan: readonly SpeechPlanItem[]): {
  text: string;
  replacements: SpokenReplacement[];
} {
  let text = '';
  const replacements: SpokenReplacement[] = [];
  for (const item of plan) {
    if (item.type !== 'speak') continue;
    if (text) text += ' ';
    let at = 0;
    for (const span of item.pronunciations ?? []) {
      text += item.text.slice(at, span.start);
      const said = span.say.kind === 'alias' ? span.say.text : `/${span.say.phoneme}/`;
      replacements.push({
        start: text.length,
        end: text.length + said.length,
        original: item.text.slice(span.start, span.end),
        say: span.say,
        source: span.source,
      });
      text += said;
      at = span.end;
    }
    text += item.text.slice(at);
  }
  return { text, replacements };
}
