import { EspeakEngine } from './espeak/espeak.engine';
import { approximateEspeakVoice } from './espeak/espeak-cloning';
import { BUILTIN_VOICE_PRESETS } from './espeak/voice-presets';
import { engineConditioning, portableConditioning } from './voice-conditioning';
import { XttsEngine } from './xtts/xtts.engine';

const ESPEAK_PART = { ...BUILTIN_VOICE_PRESETS.default };
const XTTS_PART = {
  speaker_embedding: Array.from({ length: 512 }, () => 0.1),
  gpt_cond_latent: [Array.from({ length: 1024 }, () => 0.2)],
};
const BOTH = { espeak: ESPEAK_PART, xtts: XTTS_PART };

describe('engineConditioning', () => {
  it("returns the engine's own entry of the map", () => {
    expect(engineConditioning(BOTH, 'xtts')).toBe(XTTS_PART);
    expect(engineConditioning(BOTH, 'espeak')).toBe(ESPEAK_PART);
  });

  it('returns null when the entry is missing or is not an object', () => {
    expect(engineConditioning({ espeak: ESPEAK_PART }, 'xtts')).toBeNull();
    expect(engineConditioning({ xtts: null }, 'xtts')).toBeNull();
    expect(engineConditioning({ xtts: 'latents' }, 'xtts')).toBeNull();
    expect(engineConditioning({ xtts: [1, 2] }, 'xtts')).toBeNull();
  });
});

describe('portableConditioning', () => {
  it('is the embedded engine’s approximation of the measured voice, under that engine’s id', () => {
    const measured = { f0MedianHz: 210, speakingRate: 4.5 };
    const portable = portableConditioning(measured);
    expect(portable).toEqual({ espeak: approximateEspeakVoice(measured) });
    // The embedded engine renders it as its own part.
    expect(new EspeakEngine().conditioningFor(portable)).toEqual(approximateEspeakVoice(measured));
  });
});

// None of these engines is started: choosing a part is plain data work.
describe('TtsEngine.conditioningFor', () => {
  const espeak = new EspeakEngine();
  const xtts = new XttsEngine({ url: 'http://127.0.0.1:9' });

  it('eSpeak takes its own part, and an empty one when the voice has none', () => {
    expect(espeak.conditioningFor(BOTH)).toBe(ESPEAK_PART);
    expect(espeak.conditioningFor({ xtts: XTTS_PART })).toEqual({});
  });

  it('XTTS takes its own part, and an empty one it will not accept when the voice has none', () => {
    expect(xtts.conditioningFor(BOTH)).toBe(XTTS_PART);
    const none = xtts.conditioningFor({ espeak: ESPEAK_PART });
    expect(none).toEqual({});
    expect(xtts.supportsVoice(none)).toBe(false);
    expect(xtts.supportsVoice(xtts.conditioningFor(BOTH))).toBe(true);
  });
});
