import { type BreakerState, CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now: number;
  let changes: BreakerState[];
  const breaker = () =>
    new CircuitBreaker({
      failureThreshold: 3,
      cooldownMs: 1000,
      now: () => now,
      onChange: (s) => changes.push(s),
    });
  beforeEach(() => {
    now = 0;
    changes = [];
  });

  it('closed: lets calls through and opens only after the threshold of failures in a row', () => {
    const b = breaker();
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    b.failure();
    b.success(); // resets the count
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('open: refuses calls until the cool-down has passed', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.wouldAllow()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
    now = 999;
    expect(b.tryAcquire()).toBe(false);
    now = 1000;
    expect(b.state).toBe('half_open');
    expect(b.wouldAllow()).toBe(true);
  });

  it('half open: one probe at a time; its success closes the breaker', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect(b.wouldAllow()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('half open: a failed probe opens it for another cool-down', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    now = 1999;
    expect(b.tryAcquire()).toBe(false);
    now = 2000;
    expect(b.tryAcquire()).toBe(true);
  });

  it('a probe that proved nothing (aborted) frees the slot for another probe', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    now = 1000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });
});
