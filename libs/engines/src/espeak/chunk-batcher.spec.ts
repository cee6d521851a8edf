import { ChunkBatcher, type OutgoingChunk } from './chunk-batcher';

describe('ChunkBatcher', () => {
  const chunk = (n: number, start: number, word?: string): OutgoingChunk => ({
    samples: Int16Array.from({ length: n }, (_, i) => start + i),
    words: word ? [{ word, startMs: start, endMs: start + 1 }] : undefined,
  });

  function collect(minSamples: number): { sent: OutgoingChunk[]; batcher: ChunkBatcher } {
    const sent: OutgoingChunk[] = [];
    return { sent, batcher: new ChunkBatcher(minSamples, (c) => sent.push(c)) };
  }

  it('sends the first chunk at once and joins the rest until the threshold', () => {
    const { sent, batcher } = collect(250);
    batcher.push(chunk(100, 0, 'one'));
    expect(sent).toHaveLength(1);
    batcher.push(chunk(100, 100, 'two'));
    batcher.push(chunk(100, 200));
    expect(sent).toHaveLength(1);
    batcher.push(chunk(100, 300, 'three'));
    expect(sent).toHaveLength(2);
    expect(sent[1].samples).toHaveLength(300);
    expect(Array.from(sent[1].samples.subarray(0, 3))).toEqual([100, 101, 102]);
    expect(sent[1].samples[299]).toBe(399);
    expect(sent[1].words?.map((w) => w.word)).toEqual(['two', 'three']);
  });

  it('flushes what is held, in order, and loses no sample', () => {
    const { sent, batcher } = collect(1000);
    let at = 0;
    for (let i = 0; i < 7; i++) {
      batcher.push(chunk(90, at));
      at += 90;
    }
    batcher.flush();
    batcher.flush();
    expect(sent).toHaveLength(2);
    const all = sent.flatMap((c) => Array.from(c.samples));
    expect(all).toEqual(Array.from({ length: 630 }, (_, i) => i));
    expect(sent[1].words).toBeUndefined();
  });

  it('skips empty chunks but keeps a chunk that carries only words', () => {
    const { sent, batcher } = collect(10);
    batcher.push({ samples: new Int16Array(0) });
    batcher.push({ samples: new Int16Array(0), words: [{ word: 'hi', startMs: 0, endMs: 5 }] });
    expect(sent).toHaveLength(0);
    batcher.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0].words?.[0].word).toBe('hi');
  });

  it('holds words that come before any audio and sends them with the first audio, at once', () => {
    // A resampler holds back its first tens of milliseconds: the words of that span come first.
    const { sent, batcher } = collect(1000);
    batcher.push({ samples: new Int16Array(0), words: [{ word: 'one', startMs: 0, endMs: 5 }] });
    batcher.push({ samples: new Int16Array(0), words: [{ word: 'two', startMs: 5, endMs: 9 }] });
    expect(sent).toHaveLength(0);
    batcher.push(chunk(50, 0));
    expect(sent).toHaveLength(1);
    expect(sent[0].samples).toHaveLength(50);
    expect(sent[0].words?.map((w) => w.word)).toEqual(['one', 'two']);
    batcher.push(chunk(50, 50, 'three'));
    expect(sent).toHaveLength(1);
  });

  it('hands what is held to the caller instead of sending it, so it can travel with the end', () => {
    const { sent, batcher } = collect(1000);
    batcher.push(chunk(100, 0, 'one'));
    batcher.push(chunk(100, 100, 'two'));
    batcher.push(chunk(100, 200));
    const last = batcher.take();
    expect(sent).toHaveLength(1);
    expect(Array.from(last!.samples)).toEqual(Array.from({ length: 200 }, (_, i) => 100 + i));
    expect(last!.words?.map((w) => w.word)).toEqual(['two']);
    expect(batcher.take()).toBeUndefined();
  });
});
