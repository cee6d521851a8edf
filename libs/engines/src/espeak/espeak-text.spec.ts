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

  it('replaces spans with their input and maps every replaced code point to the span', () => {
    const prepared = prepareEspeakInput('Hi Ade & Ola.', [
      { start: 3, end: 6, input: "[[ad'E]]", raw: true },
      { start: 9, end: 12, input: 'O <la>', raw: false },
    ]);
    expect(prepared.input).toBe("Hi  [[ad'E]]  &amp;  O &lt;la&gt; .");
    const at = (needle: string) => [...prepared.input].indexOf(needle) + 1;
    expect(originalWord(prepared, at('a'), 4)).toBe('Ade');
    expect(originalWord(prepared, at('O'), 1)).toBe('Ola');
    expect(originalWord(prepared, 1, 2)).toBe('Hi');
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

  it('reports the eSpeak words of one replaced span as one word of the original', () => {
    const spanned = prepareEspeakInput('Call GTB now', [
      { start: 5, end: 8, input: 'Guaranty Trust Bank', raw: false },
    ]);
    const pos = (needle: string) => spanned.input.indexOf(needle) + 1;
    const assembler = new ChunkAssembler(spanned, 1000);
    const released = [
      ...assembler.push(samples(100), [word(1, 4, 0), word(pos('Guaranty'), 8, 100)]),
      ...assembler.push(samples(100), [word(pos('Trust'), 5, 150), word(pos('Bank'), 4, 190)]),
      ...assembler.push(samples(100), [word(pos('now'), 3, 250)]),
      ...assembler.finish(),
    ];
    expect(released.flatMap((c) => c.words)).toEqual([
      { word: 'Call', startMs: 0, endMs: 100 },
      { word: 'GTB', startMs: 100, endMs: 250 },
      { word: 'now', startMs: 250, endMs: 300 },
    ]);
  });

  it('closes the last word at the end of the audio', () => {
    const assembler = new ChunkAssembler(prepared, 1000);
    expect(assembler.push(samples(100), [word(14, 3, 40)])).toEqual([]);
    const [last] = assembler.finish();
    expect(last.words).toEqual([{ word: 'Ada', startMs: 40, endMs: 100 }]);
  });
});
