import { ChunkAssembler, originalWord, prepareEspeakInput, type EspeakEvent } from './espeak-text';

describe('prepareEspeakInput', () => {
  it('escapes markup and phoneme brackets and maps positions back to the original', () => {
    const prepared = prepareEspeakInput('Tom & Jerry <3 [[h@l]] café');
    expect(prepared.input).toBe('Tom &amp; Jerry &lt;3 [ [h@l]] café');
    // eSpeak reports the entity by its last character, 1-based.
    const ampEnd = prepared.input.indexOf(';') + 1;
    expect(originalWord(prepared, ampEnd, 1)).toBe('&');
    const cafe = [...prepared.input].indexOf('c', 20) + 1;
    expect(originalWord(prepared, cafe, 4)).toBe('café');
    expect(originalWord(prepared, 1, 3)).toBe('Tom');
  });

  it('ignores positions outside the text', () => {
    const prepared = prepareEspeakInput('Hi');
    expect(originalWord(prepared, 0, 2)).toBe('');
    expect(originalWord(prepared, 5, 1)).toBe('');
  });
});

describe('ChunkAssembler', () => {
  const prepared = prepareEspeakInput('Good morning Ada');
  const samples = (n: number) => new Int16Array(n).fill(1);
  const word = (position: number, length: number, ms: number): EspeakEvent => ({
    type: 'word',
    text_position: position,
    word_length: length,
    audio_position: ms,
  });

  it('holds a chunk only until the word it contains has ended', () => {
    // 1000 Hz keeps samples and milliseconds equal.
    const assembler = new ChunkAssembler(prepared, 1000);
    expect(assembler.push(samples(100), [word(1, 4, 0)])).toEqual([]);
    expect(assembler.push(samples(100), [])).toEqual([]);
    const released = assembler.push(samples(100), [word(6, 7, 250)]);
    expect(released.map((c) => c.samples.length)).toEqual([100, 100]);
    expect(released[0].words).toEqual([{ word: 'Good', startMs: 0, endMs: 250 }]);

    const rest = [
      ...assembler.push(samples(100), [word(14, 3, 320), { ...word(0, 0, 390), type: 'end' }]),
      ...assembler.push(samples(50), []),
      ...assembler.push(new Int16Array(0), [{ ...word(0, 0, 450), type: 'msg_terminated' }]),
      ...assembler.finish(),
    ];
    expect(rest.map((c) => c.samples.length)).toEqual([100, 100, 50]);
    expect(rest.flatMap((c) => c.words)).toEqual([
      { word: 'morning', startMs: 250, endMs: 320 },
      { word: 'Ada', startMs: 320, endMs: 390 },
    ]);
  });

  it('closes the last word at the end of the audio', () => {
    const assembler = new ChunkAssembler(prepared, 1000);
    expect(assembler.push(samples(100), [word(14, 3, 40)])).toEqual([]);
    const [last] = assembler.finish();
    expect(last.words).toEqual([{ word: 'Ada', startMs: 40, endMs: 100 }]);
  });
});
