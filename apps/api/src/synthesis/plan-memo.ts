import { LRUCache } from 'lru-cache';
import type { Lexicon, SkippedReplacement, SpeechPlanItem } from '@cw/text';

/** A text planned for speaking: its pieces and the pronunciations the engine cannot say. */
export interface PlannedText {
  readonly plan: readonly SpeechPlanItem[];
  readonly skipped: readonly SkippedReplacement[];
}

/** Longer texts are planned every time: the prompts an agent repeats are short. */
const MAX_TEXT_LENGTH = 1_000;
const MAX_ENTRIES = 2_000;

function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) freezeDeep(inner);
  }
  return value;
}

/**
 * Plans of texts already planned with the same lexicon, so a prompt an agent says a hundred times
 * a day is normalized and matched against hundreds of pronunciation rules once, not per request
 * (the phrase cache's key is made from the plan, so a cache hit needs it first). Planning is a
 * pure function of the text, the SSML flag, the language, the lexicon and whether the engine takes
 * phonemes; a lexicon is a new object whenever its dictionaries change, so a change is never
 * answered from here. Plans are frozen: jobs share them.
 */
export class PlanMemo {
  private readonly lexiconIds = new WeakMap<Lexicon, number>();
  private nextLexiconId = 1;
  private readonly plans = new LRUCache<string, PlannedText>({ max: MAX_ENTRIES });

  plan(
    input: { text: string; ssml: boolean; language: string; lexicon?: Lexicon; phonemes: boolean },
    make: () => PlannedText,
  ): PlannedText {
    if (input.text.length > MAX_TEXT_LENGTH) return make();
    const key = [
      this.idOf(input.lexicon),
      input.ssml ? 1 : 0,
      input.phonemes ? 1 : 0,
      input.language,
      input.text,
    ].join('\u0000');
    const known = this.plans.get(key);
    if (known) return known;
    const planned = freezeDeep(make());
    this.plans.set(key, planned);
    return planned;
  }

  private idOf(lexicon: Lexicon | undefined): number {
    if (!lexicon) return 0;
    let id = this.lexiconIds.get(lexicon);
    if (id === undefined) this.lexiconIds.set(lexicon, (id = this.nextLexiconId++));
    return id;
  }
}
