import { AuthException } from './auth.exception';
import { apiKeyOf, headerKey } from './api-key-source';

describe('apiKeyOf', () => {
  const xi = headerKey('xi-api-key');

  it('takes the key from a source before Bearer', () => {
    const headers = { 'xi-api-key': ' key_from_xi ', authorization: 'Bearer key_from_bearer' };
    expect(apiKeyOf({ headers }, [xi])).toBe('key_from_xi');
  });

  it('falls back to Bearer when no source has a key', () => {
    expect(apiKeyOf({ headers: { authorization: 'Bearer abc' } }, [xi])).toBe('abc');
    expect(apiKeyOf({ headers: { 'xi-api-key': '  ', authorization: 'Bearer abc' } }, [xi])).toBe(
      'abc',
    );
  });

  it("ignores a vendor header on routes that did not ask for it (Bearer's 401)", () => {
    expect(() => apiKeyOf({ headers: { 'xi-api-key': 'abc' } }, [])).toThrow(AuthException);
  });

  it('tries sources in order; a query source works like a header', () => {
    const query = () => 'from_query';
    expect(apiKeyOf({ headers: {} }, [xi, query])).toBe('from_query');
    expect(apiKeyOf({ headers: { 'xi-api-key': 'from_header' } }, [xi, query])).toBe('from_header');
  });
});
