/**
 * How a voice row describes an eSpeak voice (its `conditioning`).
 *
 * - `espeakVoice`: a voice from eSpeak's own list, by file name (`en`, `en-029`, `en-GB-x-rp`),
 *   full identifier (`gmw/en`) or display name; matched case-insensitively.
 * - `variant`: a file from eSpeak's `voices/!v` set (`f3`, `m1`, `klatt4`, ...), exact spelling.
 * - `pitch`: eSpeak base pitch 0-99 (50 = the variant's natural pitch).
 * - `pitchRange`: eSpeak intonation range 0-99 (50 = normal, 0 = monotone).
 * - `rate`: eSpeak speaking rate in words per minute (80-450).
 */
export interface EspeakConditioning {
  espeakVoice: string;
  variant?: string;
  pitch: number;
  pitchRange: number;
  rate: number;
}

export const ESPEAK_RATE_MIN = 80;
export const ESPEAK_RATE_MAX = 450;

/**
 * The built-in voices. eSpeak has no Nigerian English, Pidgin, Yoruba, Hausa or Igbo voice, so
 * these are approximations built from what it does have. F0 (autocorrelation median) and words
 * per minute (pauses included) were measured on two rendered call prompts of 25 and 28 words;
 * eSpeak's `rate` runs fast, so ~145 nominal is ~160-170 wpm heard.
 */
export const BUILTIN_VOICE_PRESETS: Record<string, EspeakConditioning> = {
  /** Neutral British English (`en`), eSpeak's default male: ~102 Hz, 162-171 wpm. */
  default: { espeakVoice: 'en', pitch: 50, pitchRange: 50, rate: 145 },
  /**
   * eSpeak's Caribbean English (`en-029`) shares the West African traits that make Nigerian English
   * sound Nigerian: non-rhotic, TH-stopping ("the weather" → "də weda"), full vowels where British
   * English reduces to schwa, and near syllable timing. Bright female variant f3: ~223 Hz,
   * 161-172 wpm.
   */
  naija_female: { espeakVoice: 'en-029', variant: 'f3', pitch: 55, pitchRange: 55, rate: 148 },
  /** Same accent, male variant m3 (slightly darker formants): ~105 Hz, 163-173 wpm. */
  naija_male: { espeakVoice: 'en-029', variant: 'm3', pitch: 48, pitchRange: 55, rate: 148 },
  /**
   * Received Pronunciation (`en-GB-x-rp`), the broadcast model of formal Nigerian English; narrower
   * pitch range and a slightly slower rate for a composed delivery. Female variant f2: ~193 Hz,
   * 158-166 wpm.
   */
  professional_female: {
    espeakVoice: 'en-GB-x-rp',
    variant: 'f2',
    pitch: 50,
    pitchRange: 45,
    rate: 143,
  },
  /** RP with the deeper male variant m1: ~89 Hz, 160-169 wpm. */
  professional_male: {
    espeakVoice: 'en-GB-x-rp',
    variant: 'm1',
    pitch: 45,
    pitchRange: 45,
    rate: 143,
  },
};

/** Reads a stored conditioning object; null when it is not a well-formed eSpeak description. */
export function parseEspeakConditioning(value: unknown): EspeakConditioning | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const inRange = (v: unknown, min: number, max: number): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  if (typeof c.espeakVoice !== 'string' || c.espeakVoice.trim() === '') return null;
  if (c.variant !== undefined && (typeof c.variant !== 'string' || c.variant === '')) return null;
  if (!inRange(c.pitch, 0, 99) || !inRange(c.pitchRange, 0, 99)) return null;
  if (!inRange(c.rate, ESPEAK_RATE_MIN, ESPEAK_RATE_MAX)) return null;
  return {
    espeakVoice: c.espeakVoice.trim(),
    variant: c.variant,
    pitch: c.pitch,
    pitchRange: c.pitchRange,
    rate: c.rate,
  };
}
