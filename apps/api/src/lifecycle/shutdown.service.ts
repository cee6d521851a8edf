import { Injectable, Logger } from '@nestjs/common';
import { ShuttingDownException } from './shutdown.exception';

/** What a drain ended with, for the shutdown log line. */
export interface DrainResult {
  /** Every synthesis in flight finished before the deadline. */
  drained: boolean;
  /** Syntheses still in flight at the deadline (they are then cut). */
  left: number;
}

/**
 * The process's shutdown state. On SIGTERM it starts draining: readiness answers 503, new
 * syntheses are refused with `503 shutting_down`, and the syntheses in flight (every HTTP
 * stream, whole file and WebSocket session holds one from admission to its usage row) are
 * counted down until none is left or the drain deadline passes.
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger('Shutdown');
  private isDraining = false;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly drainListeners = new Set<() => void>();
  private readonly cutListeners = new Set<() => void>();

  get draining(): boolean {
    return this.isDraining;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Throws `shutting_down` once draining has begun. */
  assertAccepting(): void {
    if (this.isDraining) throw new ShuttingDownException();
  }

  /**
   * Counts one synthesis in flight (refused while draining); the returned function ends it and
   * may be called more than once.
   */
  enter(): () => void {
    this.assertAccepting();
    this.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    };
  }

  /** Called once when draining begins (WebSocket sessions finish their utterance and close). */
  onDrain(listener: () => void): () => void {
    if (this.isDraining) listener();
    this.drainListeners.add(listener);
    return () => this.drainListeners.delete(listener);
  }

  /** Called when the drain deadline passes: the transport ends what it still carries. */
  onCut(listener: () => void): () => void {
    this.cutListeners.add(listener);
    return () => this.cutListeners.delete(listener);
  }

  /** The deadline passed: every transport cuts what is left (each run still writes its row). */
  cut(): void {
    this.beginDrain();
    this.logger.warn(`drain deadline passed: cutting ${this.inFlight} syntheses in flight`);
    for (const listener of this.cutListeners) listener();
  }

  /** Stops accepting new syntheses and tells every listener; later calls do nothing. */
  beginDrain(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    this.logger.log(`draining: ${this.inFlight} syntheses in flight`);
    for (const listener of this.drainListeners) listener();
  }

  /** Begins draining and waits until nothing is in flight or `timeoutMs` has passed. */
  async drain(timeoutMs: number): Promise<DrainResult> {
    this.beginDrain();
    const drained = await this.idle(timeoutMs);
    return { drained, left: this.inFlight };
  }

  /** Resolves true once nothing is in flight, false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(value);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(wake);
    });
  }
}
