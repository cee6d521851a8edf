import { AuthException } from '../auth/auth.exception';
import { elevenLabsApiKey } from './elevenlabs-api-key';

describe('elevenLabsApiKey', () => {
  it('reads xi-api-key first, then Bearer, then ?xi_api_key=', () => {
    const query = new URLSearchParams('xi_api_key=from_query');
    expect(
      elevenLabsApiKey({ 'xi-api-key': ' from_xi ', authorization: 'Bearer from_bearer' }, query),
    ).toBe('from_xi');
    expect(elevenLabsApiKey({ authorization: 'Bearer from_bearer' }, query)).toBe('from_bearer');
    expect(elevenLabsApiKey({ 'xi-api-key': '  ' }, query)).toBe('from_query');
  });

  it('answers 401 missing_authorization naming the header when there is no key', () => {
    let error: unknown;
    try {
      elevenLabsApiKey({}, new URLSearchParams());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AuthException);
    expect(error).toMatchObject({ code: 'missing_authorization', status: 401 });
    expect((error as Error).message).toContain('xi-api-key');
  });

  it('a malformed Authorization header is refused, not skipped', () => {
    expect(() => elevenLabsApiKey({ authorization: 'Token abc' })).toThrow(
      'Invalid authorization format',
    );
  });
});
