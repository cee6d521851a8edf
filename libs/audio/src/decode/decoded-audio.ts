import type { AudioContainer } from './sniff';

/** A whole file decoded and mixed down to one channel. */
export interface DecodedAudio {
  format: AudioContainer;
  /** Rate of `mono` (the file's own rate; 48000 for Opus, which always decodes at 48 kHz). */
  sampleRate: number;
  /** Channels in the file before mixing. */
  channels: number;
  /** `mono.length / sampleRate`, in milliseconds, unrounded. */
  durationMs: number;
  /** The channels averaged, in [-1, 1] (float sources may exceed it). */
  mono: Float32Array;
}

export interface DecodeOptions {
  /** Longer audio is rejected with `audio_too_long`, MP3, FLAC and Ogg before decoding the rest. */
  maxDurationMs?: number;
  /**
   * Aborting rejects at once with the signal's reason; the thread doing the work stops at its next
   * stage (it is never terminated: that would abort the process if it were inside a native call).
   */
  signal?: AbortSignal;
}

/** What the voice-upload flow needs from a reference recording. */
export interface ReferenceAnalysis {
  format: AudioContainer;
  originalSampleRate: number;
  channels: number;
  durationMs: number;
  /** The recording as mono 16-bit PCM WAV at 24 kHz, the form engines take references in. */
  wav24k: Buffer;
  rmsDbfs: number;
  peakDbfs: number;
  /** Overall level under -50 dBFS, or no voiced frames. */
  silent: boolean;
  /** Median F0 of voiced frames (63-400 Hz), null when too few are voiced. */
  f0MedianHz: number | null;
  /** Syllable nuclei per second between the first and last sound, null when not measurable. */
  speakingRate: number | null;
  /** Time covered by voiced pitch frames, a measure of how much usable speech there is. */
  voicedMs: number;
}

/** Five minutes: far more than a voice reference needs, and ~58 MB of float samples at 48 kHz. */
export const DEFAULT_MAX_DURATION_MS = 300_000;

/**
 * Most channels a file may have: 8 is the most FLAC carries and Opus's surround mapping defines,
 * and far more than a voice recording needs. More is refused before decoding (a WAV header may
 * claim 65,535).
 */
export const MAX_CHANNELS = 8;

export const REFERENCE_SAMPLE_RATE = 24_000;
/** Rate the pitch and speaking-rate analysis runs at. */
export const ANALYSIS_SAMPLE_RATE = 16_000;
