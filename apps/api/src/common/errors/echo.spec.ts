import { echo, MAX_ECHO_CHARS, MAX_MESSAGE_CHARS, safeMessage } from './echo';

describe('echo', () => {
  it('quotes short values as they are', () => {
    expect(echo('v_abc123')).toBe('v_abc123');
    expect(echo('naïve 日本語 🙂')).toBe('naïve 日本語 🙂');
  });

  it('caps long values at 64 characters, ending in an ellipsis', () => {
    const out = echo('x'.repeat(10_000));
    expect(Array.from(out)).toHaveLength(MAX_ECHO_CHARS);
    expect(out.endsWith('…')).toBe(true);
    // Code points, not UTF-16 units: an emoji is never cut in half.
    expect(Array.from(echo('🙂'.repeat(100)))).toHaveLength(MAX_ECHO_CHARS);
  });

  it('escapes bidi overrides, zero-width and control characters', () => {
    expect(echo('abc\u202Egpj.exe')).toBe('abc\\u202Egpj.exe');
    expect(echo('a\u2066b\u2069c\u200Bd\uFEFF')).toBe('a\\u2066b\\u2069c\\u200Bd\\uFEFF');
    expect(echo('line\nbreak\r\x1b[31mred\x00')).toBe(
      'line\\u000Abreak\\u000D\\u001B[31mred\\u0000',
    );
    expect(echo('a\u2028b')).toBe('a\\u2028b');
  });
});

describe('safeMessage', () => {
  it('escapes unsafe characters and caps the whole message', () => {
    expect(safeMessage("Voice 'a\u202Eb' not found")).toBe("Voice 'a\\u202Eb' not found");
    const long = safeMessage(`Cannot GET /${'a'.repeat(5000)}`);
    expect(Array.from(long)).toHaveLength(MAX_MESSAGE_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});
