import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { AudioError, AudioErrorCode } from '@cw/audio';
import { isDatabaseUnavailable } from '@cw/db';
import { EngineError, EngineErrorCode } from '@cw/engines';
import { CommonErrorCode, DomainException } from './domain.exception';
import { safeMessage } from './echo';

/** What any thrown value means to a client, whatever the transport that reports it. */
export interface MappedError {
  status: number;
  /** Stable, documented error code: the same failure has the same code on every transport. */
  code: string;
  /** A message a person can act on; never internals (those are logged, see `log`). */
  message: string;
  /** Seconds a client should wait before retrying, for 429 and 503 answers. */
  retryAfter?: number;
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
  /**
   * How the original error should be logged: `error` for an unexpected failure, `warn` for an
   * engine or database failure or outage whose message was replaced in the answer, absent for
   * caller mistakes.
   */
  log?: 'error' | 'warn';
}

const HTTP_CODES: Record<number, string> = {
  400: CommonErrorCode.BadRequest,
  404: CommonErrorCode.NotFound,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  429: CommonErrorCode.RateLimited,
};

/** Seconds a client waits after an engine outage that names no figure of its own. */
const UNAVAILABLE_RETRY_AFTER_S = 5;
/** Seconds a client waits after the database was unreachable or did not answer in time. */
const DATABASE_RETRY_AFTER_S = 5;

function mapEngineError(err: EngineError): MappedError {
  // Failures and outages are ours, not the caller's: no internals (such as a server's address)
  // in the answer; the original message is logged with the request id.
  switch (err.code) {
    case EngineErrorCode.Failed:
      return {
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        code: err.code,
        message: 'Speech synthesis failed',
        log: 'warn',
      };
    case EngineErrorCode.Unavailable:
      return withRetryAfter(
        {
          status: HttpStatus.SERVICE_UNAVAILABLE,
          code: err.code,
          message: 'The speech engine is temporarily unavailable; retry shortly',
          log: 'warn',
        },
        err.retryAfterS ?? UNAVAILABLE_RETRY_AFTER_S,
      );
    case EngineErrorCode.Busy:
      return withRetryAfter(
        {
          status: HttpStatus.SERVICE_UNAVAILABLE,
          code: err.code,
          message: err.message,
          ...(err.reason ? { extra: { reason: err.reason } } : {}),
        },
        err.retryAfterS,
      );
    case EngineErrorCode.Rejected:
      // The remote engine refused what we sent: a bad gateway answer, with its reason.
      return { status: HttpStatus.BAD_GATEWAY, code: err.code, message: err.message, log: 'warn' };
    case EngineErrorCode.UnknownVoice:
      return { status: HttpStatus.NOT_FOUND, code: err.code, message: err.message };
    case EngineErrorCode.UnsupportedLanguage:
      return { status: HttpStatus.UNPROCESSABLE_ENTITY, code: err.code, message: err.message };
    default:
      return assertUnreachable(err.code);
  }
}

function withRetryAfter(mapped: MappedError, seconds: number | undefined): MappedError {
  if (seconds === undefined) return mapped;
  return { ...mapped, retryAfter: seconds, headers: { 'Retry-After': String(seconds) } };
}

function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['Retry-After'];
  return value === undefined ? undefined : Number(value);
}

/**
 * The one mapping from a thrown value to what a client is told. The HTTP filters, WebSocket
 * error frames, upgrade refusals and usage events all format its result, so one failure has one
 * status and one code everywhere.
 */
export function mapError(err: unknown): MappedError {
  const mapped = mapErrorAsThrown(err);
  return { ...mapped, message: safeMessage(mapped.message) };
}

function mapErrorAsThrown(err: unknown): MappedError {
  if (err instanceof DomainException) {
    const headers = err.options.headers;
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      retryAfter: retryAfterOf(headers),
      headers,
      extra: err.options.extra,
      log: err.status >= 500 ? 'error' : undefined,
    };
  }
  if (err instanceof EngineError) return mapEngineError(err);
  if (err instanceof AudioError && err.code === AudioErrorCode.EncoderFailed) {
    // The thread encoding the stream died: our failure, reported as the engine's would be.
    return mapEngineError(new EngineError(EngineErrorCode.Failed, err.message));
  }
  if (isDatabaseUnavailable(err)) {
    // Down, stalled or out of connections: the caller did nothing wrong and may retry.
    return withRetryAfter(
      {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: CommonErrorCode.DatabaseUnavailable,
        message: 'The database is temporarily unavailable; retry shortly',
        log: 'warn',
      },
      DATABASE_RETRY_AFTER_S,
    );
  }
  if (err instanceof ThrottlerException) {
    return { status: 429, code: CommonErrorCode.RateLimited, message: 'Rate limit exceeded' };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const raw: unknown =
      typeof response === 'string'
        ? response
        : ((response as { message?: unknown }).message ?? err.message);
    const message = Array.isArray(raw)
      ? raw.join('; ')
      : typeof raw === 'string'
        ? raw
        : err.message;
    return {
      status,
      code: HTTP_CODES[status] ?? `http_${status}`,
      message,
      log: status >= 500 ? 'error' : undefined,
    };
  }
  const bodyError = err as { type?: string } | null | undefined;
  if (bodyError?.type === 'entity.too.large') {
    return {
      status: 413,
      code: CommonErrorCode.PayloadTooLarge,
      message: 'Request body is too large',
    };
  }
  return {
    status: 500,
    code: CommonErrorCode.Internal,
    message: 'Internal server error',
    log: 'error',
  };
}

export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
