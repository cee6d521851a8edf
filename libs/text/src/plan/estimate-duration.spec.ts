import { DEFAULT_PROSODY } from '../ssml/speech-segment';
import { MIN_MS_PER_CHAR, minimumSpeechMs } from './estimate-duration';
import { planSpeech } from './plan-speech';

describe('minimumSpeechMs', () => {
  it('counts spoken characters at the fastest pace, plus breaks', () => {
    const plan = [
      { type: 'speak' as const, text: 'a'.repeat(100), prosody: { ...DEFAULT_PROSODY } },
      { type: 'break' as const, ms: 500 },
      { type: 'mark' as const, name: 'm' },
    ];
    expect(minimumSpeechMs(plan)).toBe(100 * MIN_MS_PER_CHAR + 500);
    // Twice the speed, half the speech; the break stays.
    expect(minimumSpeechMs(plan, 2)).toBe(50 * MIN_MS_PER_CHAR + 500);
  });

  it('applies a prosody rate within the renderer clamp', () => {
    const fast = [
      { type: 'speak' as const, text: 'a'.repeat(100), prosody: { ...DEFAULT_PROSODY, rate: 100 } },
    ];
    expect(minimumSpeechMs(fast)).toBe((100 * MIN_MS_PER_CHAR) / 4);
  });

  it('counts digits as the words they are read as', () => {
    const digits = '7'.repeat(5000);
    const estimate = minimumSpeechMs(planSpeech({ text: digits }));
    // Far more than the raw 5,000 characters would give: digits are spoken as words.
    expect(estimate).toBeGreaterThan(5000 * MIN_MS_PER_CHAR * 2);
  });
});
