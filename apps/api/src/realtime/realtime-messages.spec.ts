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
