import { type Levels, measureLevels, SILENCE_DBFS } from './levels';
import { medianF0, type PitchOptions, trackPitch, voicedMs } from './pitch';
import { measureSpeakingRate, type SpeakingRateOptions } from './speaking-rate';

export interface VoiceMeasurements {
  /** Median F0 of voiced frames in Hz, null when fewer than MIN_VOICED_FRAMES are voiced. */
  f0MedianHz: number | null;
  /** Syllable nuclei per second of speech, null when it cannot be measured. */
  speakingRate: number | null;
  /** Time covered by voiced pitch frames. */
  voicedMs: number;
}

export interface VoiceAnalysis extends Levels, VoiceMeasurements {
  /** Too quiet overall, or nothing voiced: there is no voice here to learn from. */
  silent: boolean;
}

export interface VoiceAnalysisOptions {
  pitch?: PitchOptions;
  speakingRate?: Omit<SpeakingRateOptions, 'pitch'>;
}

/**
 * Pitch and speaking rate of a mono signal. 16 kHz is the intended rate: YIN's cost grows with
 * the square of the rate and nothing above 8 kHz helps either measurement.
 */
export function measureVoice(
  samples: Float32Array,
  sampleRate: number,
  options: VoiceAnalysisOptions = {},
): VoiceMeasurements {
  const pitch = trackPitch(samples, sampleRate, options.pitch);
  const f0MedianHz = medianF0(pitch);
  const speakingRate =
    f0MedianHz === null
      ? null
      : measureSpeakingRate(samples, sampleRate, { ...options.speakingRate, pitch });
  return { f0MedianHz, speakingRate, voicedMs: voicedMs(pitch) };
}

/** Levels, pitch and speaking rate of one mono signal. */
export function analyzeVoice(
  samples: Float32Array,
  sampleRate: number,
  options: VoiceAnalysisOptions = {},
): VoiceAnalysis {
  const levels = measureLevels(samples);
  const voice = measureVoice(samples, sampleRate, options);
  return { ...levels, ...voice, silent: isSilent(levels, voice) };
}

export function isSilent(levels: Levels, voice: VoiceMeasurements): boolean {
  return levels.rmsDbfs < SILENCE_DBFS || voice.f0MedianHz === null;
}
