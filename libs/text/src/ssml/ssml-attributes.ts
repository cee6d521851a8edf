import { clamp } from '@cw/util';
import { Prosody } from './speech-segment';

/** A bad attribute value; the parser turns it into an SsmlError with the element's position. */
export class SsmlValueError extends Error {}

/** Engines and callers stop hearing a pause as intended past this; SSML vendors cap it too. */
export const MAX_BREAK_MS = 10_000;
/** Pause between paragraphs (`<p>`), and the default `<break/>` (strength medium). */
export const PARAGRAPH_BREAK_MS = 500;

const BREAK_STRENGTH_MS: Record<string, number> = {
  none: 0,
  'x-weak': 100,
  weak: 200,
  medium: 400,
  strong: 700,
  'x-strong': 1000,
};

/** Limits that keep nested multipliers inside what engines can render (rate 0.5-2 per the engine contract). */
const LIMITS: Record<keyof Prosody, [number, number]> = {
  rate: [0.5, 2],
  pitch: [0.5, 2],
  volume: [0, 4],
};

const RATE_LABELS: Record<string, number> = {
  'x-slow': 0.5,
  slow: 0.75,
  medium: 1,
  fast: 1.25,
  'x-fast': 1.5,
  default: 1,
};
const PITCH_LABELS: Record<string, number> = {
  'x-low': 0.8,
  low: 0.9,
  medium: 1,
  high: 1.1,
  'x-high': 1.2,
  default: 1,
};
const VOLUME_LABELS: Record<string, number> = {
  silent: 0,
  'x-soft': 0.25,
  soft: 0.5,
  medium: 1,
  loud: 1.5,
  'x-loud': 2,
  default: 1,
};

/** Pitch change in Hz is approximated against a typical speaking voice's fundamental. */
const REFERENCE_PITCH_HZ = 150;

const EMPHASIS: Record<string, { rate: number; volume: number }> = {
  strong: { rate: 0.8, volume: 1.5 },
  moderate: { rate: 0.9, volume: 1.25 },
  none: { rate: 1, volume: 1 },
  reduced: { rate: 1.1, volume: 0.8 },
};

/** Own keys only, so "constructor" or "toString" is never taken for a label. */
function lookup<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function parseBreak(time: string | undefined, strength: string | undefined): number {
  if (time !== undefined) {
    const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)\s*$/i.exec(time);
    if (!match)
      throw new SsmlValueError(`break time "${time}" is not a duration like 500ms or 1.5s`);
    const ms = Number(match[1]) * (match[2].toLowerCase() === 's' ? 1000 : 1);
    return Math.min(MAX_BREAK_MS, Math.round(ms));
  }
  if (strength !== undefined) {
    const ms = lookup(BREAK_STRENGTH_MS, strength.trim());
    if (ms === undefined) {
      throw new SsmlValueError(
        `break strength "${strength}" must be one of ${Object.keys(BREAK_STRENGTH_MS).join(', ')}`,
      );
    }
    return ms;
  }
  return BREAK_STRENGTH_MS.medium;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function clampProsody(key: keyof Prosody, value: number): number {
  const [min, max] = LIMITS[key];
  return round(clamp(value, min, max));
}

/** "+10%" → ×1.1, "80%" → ×0.8, "-20%" → ×0.8; undefined when the value is not a percentage. */
function percentFactor(value: string): number | undefined {
  const match = /^([+-]?)(\d+(?:\.\d+)?)%$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[2]) / 100;
  if (match[1] === '+') return 1 + amount;
  if (match[1] === '-') return Math.max(0, 1 - amount);
  return amount;
}

type Resolved = { absolute: number } | { factor: number };

function resolveRate(value: string): Resolved {
  const label = lookup(RATE_LABELS, value);
  if (label !== undefined) return { absolute: label };
  const factor =
    percentFactor(value) ?? (/^\d+(?:\.\d+)?$/.test(value) ? Number(value) : undefined);
  if (factor === undefined) {
    throw new SsmlValueError(`prosody rate "${value}" must be x-slow..x-fast or a percentage`);
  }
  return { factor };
}

function resolvePitch(value: string): Resolved {
  const label = lookup(PITCH_LABELS, value);
  if (label !== undefined) return { absolute: label };
  const percent = percentFactor(value);
  if (percent !== undefined) return { factor: percent };
  const semitones = /^([+-]?\d+(?:\.\d+)?)st$/.exec(value);
  if (semitones) return { factor: 2 ** (Number(semitones[1]) / 12) };
  const hertz = /^([+-]?)(\d+(?:\.\d+)?)Hz$/i.exec(value);
  if (hertz) {
    const hz = Number(hertz[2]);
    if (!hertz[1]) return { absolute: hz / REFERENCE_PITCH_HZ };
    return { factor: 1 + (hertz[1] === '-' ? -hz : hz) / REFERENCE_PITCH_HZ };
  }
  throw new SsmlValueError(
    `prosody pitch "${value}" must be x-low..x-high, a percentage, semitones (+2st) or Hz`,
  );
}

function resolveVolume(value: string): Resolved {
  const label = lookup(VOLUME_LABELS, value);
  if (label !== undefined) return { absolute: label };
  const decibels = /^([+-]?\d+(?:\.\d+)?)dB$/i.exec(value);
  if (decibels) return { factor: 10 ** (Number(decibels[1]) / 20) };
  const percent = percentFactor(value);
  if (percent !== undefined) return { factor: percent };
  throw new SsmlValueError(`prosody volume "${value}" must be silent..x-loud or decibels (+6dB)`);
}

function apply(current: number, resolved: Resolved): number {
  return 'absolute' in resolved ? resolved.absolute : current * resolved.factor;
}

/**
 * Prosody inside a `<prosody>` element. Labels (slow, high, loud) are absolute, as SSML defines
 * them against the voice's default; percentages, semitones, Hz and dB scale the enclosing value,
 * so nested relative changes multiply.
 */
export function applyProsody(
  parent: Prosody,
  attributes: { rate?: string; pitch?: string; volume?: string },
): Prosody {
  const next = { ...parent };
  if (attributes.rate !== undefined)
    next.rate = apply(parent.rate, resolveRate(attributes.rate.trim()));
  if (attributes.pitch !== undefined) {
    next.pitch = apply(parent.pitch, resolvePitch(attributes.pitch.trim()));
  }
  if (attributes.volume !== undefined) {
    next.volume = apply(parent.volume, resolveVolume(attributes.volume.trim()));
  }
  return {
    rate: clampProsody('rate', next.rate),
    pitch: clampProsody('pitch', next.pitch),
    volume: clampProsody('volume', next.volume),
  };
}

/** `<emphasis>`: a little slower and louder than its surroundings (or the reverse for "reduced"). */
export function applyEmphasis(parent: Prosody, level: string | undefined): Prosody {
  const effect = lookup(EMPHASIS, (level ?? 'moderate').trim());
  if (!effect) {
    throw new SsmlValueError(
      `emphasis level "${level}" must be one of ${Object.keys(EMPHASIS).join(', ')}`,
    );
  }
  return {
    rate: clampProsody('rate', parent.rate * effect.rate),
    pitch: parent.pitch,
    volume: clampProsody('volume', parent.volume * effect.volume),
  };
}
