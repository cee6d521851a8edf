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
  spokenText,
  type PlanSpeechInput,
  type SpeechPlanItem,
} from './plan/plan-speech';
export { MIN_MS_PER_CHAR, minimumSpeechMs } from './plan/estimate-duration';
