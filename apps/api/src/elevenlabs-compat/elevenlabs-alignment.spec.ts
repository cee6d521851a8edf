import { alignText, httpAlignment, shiftAlignment, wsAlignment } from './elevenlabs-alignment';

const words = [
  { word: 'Good', startMs: 100, endMs: 300 },
  { word: 'morning', startMs: 350, endMs: 700 },
];

describe('ElevenLabs character alignment', () => {
  it('times each sent character by the word spoken at the same position', () => {
    const { original, normalized } = alignText('Good morning.', words, 900);
    expect(original.chars.join('')).toBe('Good morning.');
    expect(original.startsMs).toHaveLength(13);
    expect(original.startsMs[0]).toBe(100);
    // The space carries the pause between the words.
    expect(original.startsMs[4]).toBe(300);
    expect(original.durationsMs[4]).toBe(50);
    expect(original.startsMs[5]).toBe(350);
    const lastEnd = original.startsMs[12] + original.durationsMs[12];
    expect(lastEnd).toBe(700);
    expect(normalized.chars.join('')).toBe('Good morning');
  });

  it('maps by relative position when normalization changed the word count', () => {
    const spoken = ['pay', 'five', 'thousand', 'naira'].map((word, i) => ({
      word,
      startMs: i * 300,
      endMs: i * 300 + 250,
    }));
    const { original, normalized } = alignText('Pay ₦5,000', spoken, 1300);
    expect(original.chars.join('')).toBe('Pay ₦5,000');
    expect(normalized.chars.join('')).toBe('pay five thousand naira');
    expect([...original.startsMs].sort((a, b) => a - b)).toEqual(original.startsMs);
    expect(original.startsMs[0]).toBe(0);
    expect(original.startsMs[9]).toBeGreaterThan(600);
    const end = original.startsMs[9] + original.durationsMs[9];
    expect(end).toBe(1150);
  });

  it('keeps trailing whitespace so pieces stay apart when joined', () => {
    const { original } = alignText('Good morning. ', words, 900);
    expect(original.chars.join('')).toBe('Good morning. ');
    expect(original.durationsMs[13]).toBe(0);
  });

  it('spreads the text over the audio when the engine gives no word timings', () => {
    const { original, normalized } = alignText('Hi there', [], 800);
    expect(original.chars.join('')).toBe('Hi there');
    expect(original.startsMs[0]).toBe(0);
    expect(original.startsMs[7] + original.durationsMs[7]).toBe(800);
    expect(normalized.chars.join('')).toBe('Hi there');
  });

  it('has the WebSocket (camelCase ms, both duration spellings) and HTTP (seconds) shapes', () => {
    const { original } = alignText('Good morning', words, 900);
    const shifted = shiftAlignment(original, 1000);
    expect(shifted.startsMs[0]).toBe(1100);
    const ws = wsAlignment(shifted);
    expect(Object.keys(ws)).toEqual([
      'chars',
      'charStartTimesMs',
      'charDurationsMs',
      'charsDurationsMs',
    ]);
    expect(ws.charsDurationsMs).toEqual(ws.charDurationsMs);
    const http = httpAlignment(original);
    expect(http.character_start_times_seconds[0]).toBe(0.1);
    expect(http.character_end_times_seconds[11]).toBe(0.7);
  });
});
