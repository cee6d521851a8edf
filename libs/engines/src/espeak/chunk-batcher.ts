import type { WordTiming } from '../engine.interface';

export interface OutgoingChunk {
  samples: Int16Array;
  words?: WordTiming[];
}

/**
 * Joins eSpeak's ~100 ms callbacks into fewer, larger messages. The first audio of a piece leaves
 * at once (it is what a caller waits for); the rest go out once `minSamples` have gathered, since
 * a stream's later audio plays seconds after it is rendered and every message costs the main
 * thread the same whatever its size (a hand-over, an encode call, a socket write). At ~200x real
 * time, holding 500 ms of audio delays it by a few milliseconds of rendering.
 */
export class ChunkBatcher {
  private held: OutgoingChunk[] = [];
  private heldSamples = 0;
  private sentFirst = false;

  constructor(
    private readonly minSamples: number,
    private readonly post: (chunk: OutgoingChunk) => void,
  ) {}

  push(chunk: OutgoingChunk): void {
    if (chunk.samples.length === 0 && !chunk.words?.length) return;
    this.held.push(chunk);
    this.heldSamples += chunk.samples.length;
    if (!this.sentFirst) {
      // The first audio leaves at once, with any word timings that came before it (a resampler
      // may hold back the first tens of milliseconds of audio).
      if (chunk.samples.length === 0) return;
      this.flush();
      return;
    }
    if (this.heldSamples >= this.minSamples) this.flush();
  }

  /** Sends whatever is held as one chunk. */
  flush(): void {
    const chunk = this.take();
    if (chunk) this.post(chunk);
  }

  /** Whatever is held, as one chunk, for the caller to send (with the end of the piece). */
  take(): OutgoingChunk | undefined {
    if (this.held.length === 0) return undefined;
    const held = this.held;
    this.held = [];
    const total = this.heldSamples;
    this.heldSamples = 0;
    this.sentFirst = true;
    if (held.length === 1) return held[0];
    const samples = new Int16Array(total);
    const words: WordTiming[] = [];
    let at = 0;
    for (const chunk of held) {
      samples.set(chunk.samples, at);
      at += chunk.samples.length;
      if (chunk.words) words.push(...chunk.words);
    }
    return words.length > 0 ? { samples, words } : { samples };
  }
}
