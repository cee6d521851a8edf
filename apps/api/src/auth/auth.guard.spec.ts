import { bearerToken } from './auth.guard';
import { AuthException } from './auth.exception';

describe('bearerToken', () => {
  it.each([
    [undefined, 'Authorization header required'],
    ['', 'Authorization header required'],
    ['cw_demo_12345', 'Invalid authorization format'],
    ['Basic dXNlcjpwYXNz', 'Invalid authorization format'],
    ['Bearer', 'Invalid authorization format'],
    ['Bearer a b', 'Invalid authorization format'],
  ])('rejects %j with "%s"', (header, message) => {
    let caught: unknown;
    try {
      bearerToken(header);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AuthException);
    expect((caught as AuthException).message).toBe(message);
    expect((caught as AuthException).status).toBe(401);
  });

  it('accepts any case of the scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
  });
});
