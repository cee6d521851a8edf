import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { assignRequestId } from '../http/request-id';
import { errorBody } from './error-body';
import { mapError, type MappedError } from './map-error';

export type { MappedError } from './map-error';

/**
 * Errors become HTTP answers here: every body has the same shape (from `mapError`), internals stay
 * in the log behind the request id, and a response already streaming is cut off instead of patched.
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
    const mapped = mapError(exception);
    if (mapped.log === 'error') this.logger.error({ err: exception, requestId }, 'unhandled error');
    else if (mapped.log === 'warn')
      this.logger.warn({ err: exception, requestId, code: mapped.code }, 'dependency failure');
    for (const [name, value] of Object.entries(mapped.headers ?? {})) res.setHeader(name, value);
    this.respond(res, mapped, requestId, req);
  }

  /** Writes status and body; a route family with another wire format (OpenAI's) overrides this. */
  protected respond(res: Response, mapped: MappedError, requestId: string, _req: Request): void {
    res
      .status(mapped.status)
      .json(errorBody(mapped.status, mapped.code, mapped.message, requestId, mapped.extra));
  }
}
