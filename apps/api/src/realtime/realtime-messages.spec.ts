import { parseClientMessage, validateConfig } from './realtime-messages';
import { RealtimeErrorCode } from './realtime.exception';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return undefined;
};

describe('parseClientMessage', () => {
  it('parses every message type, keeping only the known config fields', () => {
    expect(parseClientMessage('{"type":"text","text":"Hi"}')).toEqual({ type: 'text', text: 'Hi' });
    expect(parseClientMessage('{"type":"flush"}')).toEqual({ type: 'flush' });
    expect(parseClientMessage('{"type":"clear"}')).toEqual({ type: 'clear' });
    expect(parseClientMessage('{"type":"close"}')).toEqual({ type: 'close' });
    expect(
      parseClientMessage('{"type":"config","voice_id":"naija_male","format":"mulaw","x":1}'),
    ).toEqual({ type: 'config', config: { voice_id: 'naija_male', format: 'mulaw' } });
  });

  it('names what is wrong with a bad message', () => {
    expect(codeOf(() => parseClientMessage('{'))).toBe(RealtimeErrorCode.InvalidJson);
    expect(codeOf(() => parseClientMessage('"text"'))).toBe(RealtimeErrorCode.InvalidMessage);
    expect(codeOf(() => parseClientMessage('{"type":1}'))).toBe(RealtimeErrorCode.InvalidMessage);
    expect(codeOf(() => parseClientMessage('{"type":"text"}'))).toBe(
      RealtimeErrorCode.InvalidMessage,
    );
    expect(codeOf(() => parseClientMessage('{"type":"speak"}'))).toBe(
      RealtimeErrorCode.UnknownType,
    );
  });
});

describe('parseClientMessage: input no handler should ever see', () => {
  it('refuses a message nested beyond the JSON depth limit before parsing it', () => {
    const deep = `{"type":"config","voice_id":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    let caught: unknown;
    try {
      parseClientMessage(deep);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: RealtimeErrorCode.InvalidJson });
    expect((caught as Error).message).toContain('32 levels');
  });

  it.each([
    ['{"type":"config","voice_id":"v\\u0000x"}', 'voice_id'],
    ['{"type":"text","text":"Hello\\u0000"}', 'text'],
    ['{"type":"config","language":["en","\\u0000"]}', 'language.1'],
  ])('refuses U+0000 in %s, naming %s', (raw, field) => {
    let caught: unknown;
    try {
      parseClientMessage(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: RealtimeErrorCode.ValidationFailed });
    expect((caught as Error).message).toBe(`${field} must not contain the NUL character (U+0000)`);
  });
});

describe('validateConfig', () => {
  it('applies the HTTP API rules', async () => {
    await expect(validateConfig({ format: 'pcm', sample_rate: 16000, speed: 1.5 })).resolves.toBe(
      undefined,
    );
    await expect(validateConfig({ speed: 3 })).rejects.toMatchObject({
      code: RealtimeErrorCode.ValidationFailed,
    });
    await expect(validateConfig({ sample_rate: 12345 })).rejects.toMatchObject({
      code: RealtimeErrorCode.ValidationFailed,
    });
  });
});
