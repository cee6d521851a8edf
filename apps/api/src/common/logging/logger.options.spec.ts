import { safeUrl } from './logger.options';

describe('safeUrl', () => {
  it.each([
    ['/v1/synthesize/ws?api_key=cw_live_secret', '/v1/synthesize/ws?api_key=[redacted]'],
    [
      '/elevenlabs/v1/text-to-speech/default/stream-input?xi_api_key=cw_live_secret&output_format=pcm_16000',
      '/elevenlabs/v1/text-to-speech/default/stream-input?xi_api_key=[redacted]&output_format=pcm_16000',
    ],
    ['/v1/clips/x?expires=1&signature=abc', '/v1/clips/x?expires=1&signature=[redacted]'],
  ])('redacts the credential in %s', (url, safe) => {
    expect(safeUrl(url)).toBe(safe);
  });
});
