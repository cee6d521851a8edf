import type { VoiceConditioning } from './engine.interface';
import { approximateEspeakVoice } from './espeak/espeak-cloning';

/**
 * One engine's part of a voice's conditioning map (`{ espeak: {...}, xtts: {...} }`), or null when
 * the voice has none for that engine.
 */
export function engineConditioning(
  voiceConditioning: Record<string, unknown>,
  engineId: string,
): VoiceConditioning | null {
  const part: unknown = voiceConditioning[engineId];
  if (typeof part !== 'object' || part === null || Array.isArray(part)) return null;
  return part as VoiceConditioning;
}

/**
 * Conditioning the embedded engine derives from any reference's measured pitch and pace, keyed
 * by engine id. Stored beside the configured engine's own clone, it keeps a voice speaking (in an
 * approximation) when a remote engine is down or the deployment moves to the embedded engine.
 */
export function portableConditioning(measured: {
  f0MedianHz: number | null;
  speakingRate: number | null;
}): Record<string, VoiceConditioning> {
  return { espeak: { ...approximateEspeakVoice(measured) } };
}
