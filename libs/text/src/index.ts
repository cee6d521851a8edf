export { parseSsml } from './ssml/parse-ssml';
export { SsmlError, TextErrorCode } from './ssml/ssml.error';
export { MAX_BREAK_MS, PARAGRAPH_BREAK_MS } from './ssml/ssml-attributes';
export {
  DEFAULT_PROSODY,
  type BreakSegment,
  type MarkSegment,
  type Prosody,
  type SpeechSegment,
  type TextSegment,
} from './ssml/speech-segment';
export { normalizeText } from './normalize/normalize-text';
export { renderSayAs, type SayAs } from './normalize/say-as';
export { splitForStreaming } from './split/split-for-streaming';
export { SentenceChunker } from './split/sentence-chunker';
export {
  DEFAULT_FIRST_MAX_CHARS,
  DEFAULT_MAX_CHARS,
  type SplitOptions,
} from './split/split-options';
export {
  isBlank,
  looksLikeSsml,
  planSpeech,
  planSpeechDetailed,
  describeSpoken,
  sayText,
  type SpokenReplacement,
  spokenText,
  type DetailedPlan,
  type PlanSpeechInput,
  type SpeechPlanItem,
} from './plan/plan-speech';
export { MIN_MS_PER_CHAR, minimumSpeechMs } from './plan/estimate-duration';
export { Lexicon, type LexiconOptions } from './pronunciation/lexicon';
export {
  isPhonemeAlphabet,
  PHONEME_ALPHABETS,
  type AliasRule,
  type LexiconRule,
  type PhonemeAlphabet,
  type PhonemeRule,
  type Pronunciation,
  type PronunciationRule,
  type RuleSource,
  type SpanPronunciation,
} from './pronunciation/pronunciation-rule';
export { type SkippedReplacement } from './pronunciation/pronunciation-table';
export {
  parsePls,
  PlsError,
  PLS_NAMESPACE,
  serializePls,
  type ParsedLexicon,
} from './pronunciation/pls';
