/**
 * A circuit breaker for one engine. `closed`: calls go through and consecutive failures are
 * counted; `failureThreshold` of them in a row open it. `open`: calls are refused at once (the
 * chain moves on to the next engine) until `cooldownMs` has passed. `half_open`: one call, the
 * probe, goes through; its success closes the breaker, its failure opens it for another cool-down.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold?: number;
  cooldownMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Hears every change of state. */
  onChange?: (state: BreakerState) => void;
}

export const DEFAULT_FAILURE_THRESHOLD = 3;
export const DEFAULT_COOLDOWN_MS = 10_000;

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly onChange: (state: BreakerState) => void;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD);
    this.cooldownMs = Math.max(0, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => undefined);
  }

  /** The state as a caller would find it now (an expired cool-down reads as half open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() >= this.openUntil) return 'half_open';
    return this.current;
  }

  /** Whether a call would be let through now, without taking the probe. */
  wouldAllow(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half_open' && !this.probing);
  }

  /**
   * Takes permission for one call: true in `closed`, and for the one probe in `half_open`. A
   * caller that got true must report `success()` or `failure()` (or `release()` when the call
   * ended for a reason that says nothing about the engine, such as the client leaving).
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.set('half_open');
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.set('closed');
  }

  failure(): void {
    if (this.current === 'half_open' || this.probing) {
      this.probing = false;
      this.trip();
      return;
    }
    this.failures++;
    if (this.current === 'closed' && this.failures >= this.failureThreshold) this.trip();
  }

  /** A call that proved nothing (aborted by its caller): a probe may be tried again. */
  release(): void {
    this.probing = false;
  }

  private trip(): void {
    this.failures = 0;
    this.openUntil = this.now() + this.cooldownMs;
    this.set('open');
  }

  private set(state: BreakerState): void {
    if (this.current === state) return;
    this.current = state;
    this.onChange(state);
  }
}
