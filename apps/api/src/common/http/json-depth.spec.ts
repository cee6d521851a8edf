import { jsonDepthExceeds } from './json-depth';

describe('jsonDepthExceeds', () => {
  const nest = (depth: number) => `${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;

  it('allows nesting up to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(nest(32), 32)).toBe(false);
    expect(jsonDepthExceeds(nest(34), 32)).toBe(true);
    expect(jsonDepthExceeds('['.repeat(33), 32)).toBe(true);
  });

  it('measures depth, not the number of containers', () => {
    expect(jsonDepthExceeds(`[${'[],'.repeat(1000)}[]]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(`["${'['.repeat(100)}"]`, 2)).toBe(false);
    expect(jsonDepthExceeds(`["\\"${'{'.repeat(100)}\\\\"]`, 2)).toBe(false);
    expect(jsonDepthExceeds(`["\\\\"${'['.repeat(5)}`, 2)).toBe(true);
  });

  it('reads UTF-8 bytes and strings alike', () => {
    const text = `{"name":"Zoë 日本 ${'['.repeat(10)}","x":${'['.repeat(5)}${']'.repeat(5)}}`;
    expect(jsonDepthExceeds(Buffer.from(text, 'utf8'), 6)).toBe(false);
    expect(jsonDepthExceeds(text, 6)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(text, 'utf8'), 5)).toBe(true);
  });
});
