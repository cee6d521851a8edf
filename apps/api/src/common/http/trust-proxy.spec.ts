import { compileTrustProxy } from './trust-proxy';

describe('compileTrustProxy (TRUST_PROXY, as Express reads `trust proxy`)', () => {
  it('trusts no proxy when unset, empty or false', () => {
    for (const v of [undefined, '', 'false'])
      expect(compileTrustProxy(v)('127.0.0.1', 0)).toBe(false);
  });

  it('trusts every hop with true, and a number of hops with a count', () => {
    expect(compileTrustProxy('true')('8.8.8.8', 5)).toBe(true);
    const two = compileTrustProxy('2');
    expect([0, 1, 2].map((i) => two('10.0.0.1', i))).toEqual([true, true, false]);
  });

  it('trusts listed addresses, ranges and names only', () => {
    const trust = compileTrustProxy('loopback, 10.0.0.0/8');
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('10.1.2.3', 1)).toBe(true);
    expect(trust('203.0.113.7', 0)).toBe(false);
  });
});
