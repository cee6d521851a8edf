import { BadRequestException, HttpStatus, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { QueryFailedError } from 'typeorm';
import { AudioError, AudioErrorCode } from '@cw/audio';
import { DatabaseUnavailableError } from '@cw/db';
import { EngineError, EngineErrorCode } from '@cw/engines';
import { CommonErrorCode, DomainException } from './domain.exception';
import { mapError } from './map-error';

describe('mapError', () => {
  it('keeps a domain error as raised, with its Retry-After as a number', () => {
    const err = new DomainException('quota_exceeded', 'Monthly quota used', 429, {
      headers: { 'Retry-After': '30' },
      extra: { limit: 5 },
    });
    expect(mapError(err)).toEqual({
      status: 429,
      code: 'quota_exceeded',
      message: 'Monthly quota used',
      retryAfter: 30,
      headers: { 'Retry-After': '30' },
      extra: { limit: 5 },
      log: undefined,
    });
  });

  it('gives an engine failure its own code and hides its message', () => {
    const mapped = mapError(new EngineError(EngineErrorCode.Failed, 'worker 3 crashed at 0x1f'));
    expect(mapped).toMatchObject({ status: 500, code: 'synthesis_failed', log: 'warn' });
    expect(mapped.message).not.toContain('0x1f');
  });

  it('reports a dead encoder thread as a synthesis failure, without its message', () => {
    const mapped = mapError(
      new AudioError(AudioErrorCode.EncoderFailed, 'audio encoder thread stopped: exit code 1'),
    );
    expect(mapped).toMatchObject({
      status: 500,
      code: 'synthesis_failed',
      message: 'Speech synthesis failed',
      log: 'warn',
    });
  });

  it('answers an engine outage with 503 and a default Retry-After, without internals', () => {
    const mapped = mapError(
      new EngineError(EngineErrorCode.Unavailable, 'connect ECONNREFUSED 10.0.0.7:8000'),
    );
    expect(mapped).toMatchObject({
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'engine_unavailable',
      retryAfter: 5,
      headers: { 'Retry-After': '5' },
    });
    expect(mapped.message).not.toContain('10.0.0.7');
  });

  it('passes a busy engine through with its own Retry-After', () => {
    expect(mapError(new EngineError(EngineErrorCode.Busy, 'queue full', 2))).toMatchObject({
      status: 503,
      code: 'engine_busy',
      message: 'queue full',
      retryAfter: 2,
    });
    expect(mapError(new EngineError(EngineErrorCode.Busy, 'queue full', 2)).extra).toBeUndefined();
  });

  it('names the limit that refused an engine_busy answer in `reason`', () => {
    const busy = new EngineError(EngineErrorCode.Busy, 'starting calls', 1, 'first_audio_wait');
    expect(mapError(busy)).toMatchObject({
      status: 503,
      code: 'engine_busy',
      headers: { 'Retry-After': '1' },
      extra: { reason: 'first_audio_wait' },
    });
  });

  it.each([
    [EngineErrorCode.UnknownVoice, 404],
    [EngineErrorCode.UnsupportedLanguage, 422],
  ])('maps %s to %d, a caller mistake that is not logged', (code, status) => {
    const mapped = mapError(new EngineError(code, 'no such thing'));
    expect(mapped).toMatchObject({ status, code, message: 'no such thing' });
    expect(mapped.log).toBeUndefined();
  });

  it('maps Nest HTTP exceptions and the throttler', () => {
    expect(mapError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: CommonErrorCode.NotFound,
      message: 'Cannot GET /x',
    });
    expect(mapError(new BadRequestException(['a is bad', 'b is bad'])).message).toBe(
      'a is bad; b is bad',
    );
    expect(mapError(new ThrottlerException())).toMatchObject({ status: 429 });
  });

  it('maps an oversized body to 413 and anything else to a logged 500', () => {
    expect(mapError({ type: 'entity.too.large' })).toMatchObject({ status: 413 });
    expect(mapError(new TypeError('x is undefined'))).toEqual({
      status: 500,
      code: CommonErrorCode.Internal,
      message: 'Internal server error',
      log: 'error',
    });
    expect(mapError(undefined).status).toBe(500);
  });

  it('escapes unsafe characters and caps every message, whoever built it', () => {
    const domain = mapError(
      new DomainException('voice_not_found', "Voice 'a\u202Eb' not found", 404),
    );
    expect(domain.message).toBe("Voice 'a\\u202Eb' not found");
    // Nest's router quotes the path of an unknown route in full.
    const routed = mapError(new NotFoundException(`Cannot GET /${'x'.repeat(10_000)}`));
    expect(routed.message.length).toBeLessThanOrEqual(1000);
    expect(routed.message.endsWith('…')).toBe(true);
  });

  describe('database outages', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
    const failed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

    it.each([
      ['a refused connection', new DatabaseUnavailableError(pgError('ECONNREFUSED', 'connect'))],
      ['no free connection in time', new Error('timeout exceeded when trying to connect')],
      [
        'statement_timeout',
        failed(pgError('57014', 'canceling statement due to statement timeout')),
      ],
      ['lock_timeout', failed(pgError('55P03', 'canceling statement due to lock timeout'))],
      ['a server shutting down', failed(pgError('57P01', 'terminating connection'))],
      ['a connection exception', failed(pgError('08006', 'connection failure'))],
      ['no answer at all', failed(new Error('Query read timeout'))],
      ['a socket reset mid-query', failed(pgError('ECONNRESET', 'read ECONNRESET'))],
    ])('answers %s with 503 database_unavailable and Retry-After', (_, err) => {
      const mapped = mapError(err);
      expect(mapped).toMatchObject({
        status: 503,
        code: CommonErrorCode.DatabaseUnavailable,
        retryAfter: 5,
        headers: { 'Retry-After': '5' },
        log: 'warn',
      });
      expect(mapped.message).not.toMatch(/statement|ECONN|Query read/);
    });

    it('keeps a query our code got wrong, or a socket error from elsewhere, a logged 500', () => {
      expect(mapError(failed(pgError('42601', 'syntax error')))).toMatchObject({
        status: 500,
        code: CommonErrorCode.Internal,
        log: 'error',
      });
      // Raised by S3 or XTTS, not the database: nothing says which dependency it was.
      expect(mapError(pgError('ECONNREFUSED', 'connect ECONNREFUSED')).status).toBe(500);
    });
  });
});
