import { measureLevels } from '../analysis/levels';
import { isSilent, measureVoice } from '../analysis/voice-analysis';
import { floatToInt16 } from '../pcm';
import { createResampler } from '../resampler';
import { encodeWav } from '../wav';
import {
  ANALYSIS_SAMPLE_RATE,
  type DecodedAudio,
  REFERENCE_SAMPLE_RATE,
  type ReferenceAnalysis,
} from './decoded-audio';

/**
 * Levels on the original samples; pitch and rate at 16 kHz; the 24 kHz WAV engines store.
 * `cancelled` is asked between stages: when it says so, the work stops and the result is null.
 */
export async function analyzeDecoded(
  decoded: DecodedAudio,
  cancelled: () => boolean = () => false,
): Promise<ReferenceAnalysis | null> {
  const levels = measureLevels(decoded.mono);
  if (cancelled()) return null;
  const reference = await resample(
    floatToInt16(decoded.mono),
    decoded.sampleRate,
    REFERENCE_SAMPLE_RATE,
  );
  if (cancelled()) return null;
  // From the smaller 24 kHz signal, at a lower quality than the stored reference's: a third of
  // the time, and the same F0 and rate on the test voices.
  const speech = await resample(reference, REFERENCE_SAMPLE_RATE, ANALYSIS_SAMPLE_RATE, 4);
  if (cancelled()) return null;
  const voice = measureVoice(int16ToFloat(speech), ANALYSIS_SAMPLE_RATE);
  return {
    format: decoded.format,
    originalSampleRate: decoded.sampleRate,
    channels: decoded.channels,
    durationMs: decoded.durationMs,
    wav24k: encodeWav(reference, REFERENCE_SAMPLE_RATE),
    ...levels,
    silent: isSilent(levels, voice),
    ...voice,
  };
}

async function resample(
  samples: Int16Array,
  from: number,
  to: number,
  quality?: number,
): Promise<Int16Array> {
  const resampler = await createResampler(from, to, { quality, bulk: true });
  const body = resampler.process(samples);
  const tail = resampler.flush();
  if (tail.length === 0) return body;
  const out = new Int16Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
}

function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 32768;
  return out;
}
