import { CapacityEstimator } from './capacity-estimator';

const estimator = () =>
  new CapacityEstimator({
    parallelism: 2,
    utilization: 0.5,
    initialCost: 0.02,
    costSmoothing: 0.05,
    tenantShare: 0.75,
  });

describe('CapacityEstimator', () => {
  it('assumes the initial cost until a piece is measured, then uses what was measured', () => {
    const c = estimator();
    expect(c.costOf('default/mulaw')).toBe(0.02);
    c.observe('default/mulaw', 5, 1000);
    expect(c.costOf('default/mulaw')).toBeCloseTo(0.005);
    // A key not seen yet uses the average over all keys.
    expect(c.costOf('other/pcm')).toBeCloseTo(0.005);
    c.reset();
    expect(c.costOf('default/mulaw')).toBe(0.02);
  });

  it('weighs pieces by their audio: one slow short piece moves the cost little', () => {
    const c = estimator();
    for (let i = 0; i < 10; i++) c.observe('k', 5, 1000);
    // 250 ms of audio in 10 ms (0.04 per ms of audio, eight times the usual).
    c.observe('k', 10, 250);
    // (0.95 * 5 + 0.05 * 10) / (0.95 * 1000 + 0.05 * 250); a per-piece average would say 0.00675.
    expect(c.costOf('k')).toBeCloseTo(5.25 / 962.5, 6);
  });

  it('ignores pieces too short to say anything about the cost per second', () => {
    const c = estimator();
    c.observe('k', 5, 1000);
    c.observe('k', 50, 150);
    expect(c.costOf('k')).toBeCloseTo(0.005);
  });

  it('reserves within capacity and keeps a share for other tenants', () => {
    const c = estimator();
    c.observe('k', 250, 1000); // 0.25 per stream; capacity 1.0, one tenant at most 0.75
    const held = [c.reserve('k', 'a'), c.reserve('k', 'a'), c.reserve('k', 'a')];
    expect(held.every((r) => typeof r === 'function')).toBe(true);
    expect(c.reserve('k', 'a')).toBe('tenant_share');
    const other = c.reserve('k', 'b');
    expect(typeof other).toBe('function');
    expect(c.reserve('k', 'c')).toBe('full');
    (held[0] as () => void)();
    expect(typeof c.reserve('k', 'c')).toBe('function');
  });
});
