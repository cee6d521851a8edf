import { normalizeText } from '../normalize/normalize-text';
import { renderSayAs } from '../normalize/say-as';
import { parseSsml } from '../ssml/parse-ssml';
import { DEFAULT_PROSODY, Prosody, SpeechSegment, sameProsody } from '../ssml/speech-segment';
import { splitForStreaming } from '../split/split-for-streaming';
import { SplitOptions, resolveSplitOptions } from '../split/split-options';

export type SpeechPlanItem =
  | { type: 'speak'; text: string; prosody: Prosody }
  | { type: 'break'; ms: number }
  | { type: 'mark'; name: string };

export interface PlanSpeechInput extends SplitOptions {
  text: string;
  /** Treat the text as SSML. Text that starts with `<speak` is SSML whatever this says. */
  ssml?: boolean;
  /** Language of the text; only English is expanded into words. Default `en`. */
  language?: string;
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
function toRuns(segments: SpeechSegment[], language: string): Step[] {
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
      : normalizeText(segment.text, language);
    gap ||= /^\s/.test(segment.text);
    const last = steps.at(-1);
    const previous = last && isRun(last) ? last : undefined;
    if (spoken && !SPEAKABLE.test(spoken)) {
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
  const { text, ssml = false, language = 'en' } = input;
  const options = resolveSplitOptions(input);
  const segments: SpeechSegment[] =
    ssml || looksLikeSsml(text)
      ? parseSsml(text)
      : [{ type: 'text', text, prosody: { ...DEFAULT_PROSODY } }];

  const plan: SpeechPlanItem[] = [];
  let spokeYet = false;
  for (const step of toRuns(segments, language)) {
    if (!isRun(step)) {
      plan.push(step);
      continue;
    }
    // Only the very first audio benefits from a short first piece.
    const firstMaxChars = spokeYet ? options.maxChars : options.firstMaxChars;
    for (const piece of splitForStreaming(step.text, { ...options, firstMaxChars })) {
      plan.push({ type: 'speak', text: piece, prosody: { ...step.prosody } });
      spokeYet = true;
    }
  }
  return plan;
}

/** Exactly the words the plan will speak, in order. */
export function spokenText(plan: readonly SpeechPlanItem[]): string {
  return plan
    .filter((item): item is Extract<SpeechPlanItem, { type: 'speak' }> => item.type === 'speak')
    .map((item) => item.text)
    .join(' ');
}
