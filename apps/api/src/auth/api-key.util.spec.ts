import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.util';

describe('api key utilities', () => {
  it('generates cw_live_ keys with 32 base62 characters, all different', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^cw_live_[0-9A-Za-z]{32}$/);
  });

  it('hashes with SHA-256 hex', () => {
    expect(hashApiKey('a')).toBe(
      'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
    );
  });

  it('shows only a short prefix', () => {
    expect(displayPrefix('cw_live_AbCdEfGh')).toBe('cw_live_AbCd');
    expect(displayPrefix('cw_demo_12345')).toBe('cw_demo_');
  });

  it('knows the shape of a key: generated ones and the seeded demo keys', () => {
    expect(isWellFormedApiKey(generateApiKey())).toBe(true);
    expect(isWellFormedApiKey('cw_demo_12345')).toBe(true);
    expect(isWellFormedApiKey('test_key_67890')).toBe(true);
    for (const bad of [
      '',
      'cw_live_doesnotexist',
      `cw_live_${'a'.repeat(31)}`,
      `cw_live_${'a'.repeat(33)}`,
      `cw_live_${'a'.repeat(31)}-`,
      `cw_test_${'a'.repeat(32)}`,
      `cw_live_${'a'.repeat(32)}\n`,
      'cw_demo_123456',
    ]) {
      expect(isWellFormedApiKey(bad)).toBe(false);
    }
  });
});
