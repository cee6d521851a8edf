/** Leave this much audio queued ahead of the clock when starting, so the first chunks do not stutter. */
const START_LEAD_S = 0.08;

/**
 * Plays mono PCM as it arrives: each chunk becomes an AudioBuffer scheduled right after the one
 * before it, so sound starts with the first chunk rather than when the response ends.
 */
export class PcmPlayer {
  private readonly sources = new Set<AudioBufferSourceNode>();
  private next = 0;
  private startedAt: number | undefined;
  private scheduled = 0;

  constructor(
    private readonly ctx: AudioContext,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  enqueue(samples: Float32Array, sampleRate: number): void {
    if (samples.length === 0) return;
    const buffer = this.ctx.createBuffer(1, samples.length, sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.ctx.destination);
    const now = this.ctx.currentTime;
    // After an underrun (the network fell behind) start again a little ahead of the clock.
    if (this.next < now) this.next = now + START_LEAD_S;
    this.startedAt ??= this.next;
    source.start(this.next);
    this.next += buffer.duration;
    this.scheduled += buffer.duration;
    this.sources.add(source);
    source.onended = () => {
      this.sources.delete(source);
      if (this.sources.size === 0) this.onIdle();
    };
  }

  /** Seconds of audio heard so far (the context clock since the first chunk, at most what was queued). */
  playedSeconds(): number {
    if (this.startedAt === undefined) return 0;
    return Math.max(0, Math.min(this.ctx.currentTime - this.startedAt, this.scheduled));
  }

  get playing(): boolean {
    return this.sources.size > 0;
  }

  /** Silences everything queued at once. */
  stop(): void {
    for (const source of this.sources) {
      source.onended = null;
      source.stop();
      source.disconnect();
    }
    this.sources.clear();
    this.next = 0;
    this.onIdle();
  }
}
