import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { EngineError, EngineErrorCode } from '@cw/engines/engine.interface';
import { assignRequestId } from '../http/request-id';
import { CommonErrorCode, DomainException } from './domain.exception';
import { errorBody } from './error-body';

/** An exception resolved to what the client is told. */
export interface MappedError {
  /** Log the original error (its message was replaced in the body). */
  logged?: boolean;
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

const ENGINE_STATUS: Record<EngineErrorCode, number> = {
  [EngineErrorCode.Busy]: HttpStatus.SERVICE_UNAVAILABLE,
  [EngineErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [EngineErrorCode.UnknownVoice]: HttpStatus.NOT_FOUND,
  [EngineErrorCode.UnsupportedLanguage]: HttpStatus.UNPROCESSABLE_ENTITY,
  [EngineErrorCode.Failed]: HttpStatus.INTERNAL_SERVER_ERROR,
};

const HTTP_CODES: Record<number, string> = {
  400: CommonErrorCode.BadRequest,
  404: CommonErrorCode.NotFound,
  413: CommonErrorCode.PayloadTooLarge,
  415: CommonErrorCode.UnsupportedMediaType,
  429: CommonErrorCode.RateLimited,
};

/**
 * The one place errors become HTTP answers: every body has the same shape, internals stay in the
 * log behind the request id, and a response already streaming is cut off instead of patched.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const requestId = assignRequestId(req, res);

    if (res.headersSent) {
      // Audio is already on the wire: the only honest signal left is a broken transfer.
      this.logger.error({ err: exception, requestId }, 'failure after response started');
      res.destroy(exception instanceof Error ? exception : undefined);
      return;
    }
    const mapped = this.map(exception);
    if (mapped.status === 500 && !mapped.logged) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    } else if (mapped.logged) {
      this.logger.warn({ err: exception, requestId }, 'engine error');
    }
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    this.respond(res, mapped, requestId, req);
  }

  /** Writes status and body; a route family with another wire format (OpenAI's) overrides this. */
  protected respond(res: Response, mapped: MappedError, requestId: string, _req: Request): void {
    res
      .status(mapped.status)
      .json(errorBody(mapped.status, mapped.code, mapped.message, requestId, mapped.extra));
  }

  private map(exception: unknown): MappedError {
    if (exception instanceof DomainException) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        headers: exception.options.headers,
        extra: exception.options.extra,
      };
    }
    if (exception instanceof EngineError) {
      const failed = exception.code === EngineErrorCode.Failed;
      const unavailable = exception.code === EngineErrorCode.Unavailable;
      // Failures and outages are ours, not the caller's: no internals (such as a server's
      // address) in the body; the original message is logged with the request id.
      const message = failed
        ? 'Speech synthesis failed'
        : unavailable
          ? 'The speech engine is temporarily unavailable; retry shortly'
          : exception.message;
      const retryAfter = exception.retryAfterS ?? (unavailable ? 5 : undefined);
      return {
        status: ENGINE_STATUS[exception.code],
        code: failed ? CommonErrorCode.Internal : exception.code,
        message,
        headers: retryAfter ? { 'Retry-After': String(retryAfter) } : undefined,
        logged: failed || unavailable,
      };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, code: CommonErrorCode.RateLimited, message: 'Rate limit exceeded' };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw: unknown =
        typeof response === 'string'
          ? response
          : ((response as { message?: unknown }).message ?? exception.message);
      const message = Array.isArray(raw)
        ? raw.join('; ')
        : typeof raw === 'string'
          ? raw
          : exception.message;
      return { status, code: HTTP_CODES[status] ?? `http_${status}`, message };
    }
    const bodyError = exception as { type?: string; status?: number; message?: string };
    if (bodyError?.type === 'entity.too.large') {
      return {
        status: 413,
        code: CommonErrorCode.PayloadTooLarge,
        message: 'Request body is too large',
      };
    }
    return { status: 500, code: CommonErrorCode.Internal, message: 'Internal server error' };
  }
}
