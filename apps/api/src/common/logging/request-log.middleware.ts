import type { NextFunction, Request, Response } from 'express';
import type pino from 'pino';
import { assignRequestId } from '../http/request-id';
import { routePattern } from '../http/route-pattern';
import { safeUrl } from './logger.options';

type Level = 'info' | 'warn' | 'error';

/**
 * 5xx are errors, but a 503 is a warning: it is the service shedding load (`engine_busy`, with
 * Retry-After) or a dependency's outage (which the error filter also logs at warn), and a burst
 * refused at once would otherwise write hundreds of error lines at the moment the process is
 * busiest. 4xx are warnings (the caller's mistake, worth seeing at LOG_LEVEL=warn), the rest info.
 */
export function requestLogLevel(statusCode: number): Level {
  if (statusCode === 503) return 'warn';
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * One JSON line per HTTP request, written when the response finishes (or the client goes away),
 * after routing: it names the matched route pattern and the tenant the request authenticated as.
 * Only what is listed here is logged: never headers (Authorization), bodies or a key in the query.
 *
 * Hand-written rather than pino-http: the line is built only when its level is enabled, and no
 * per-request child logger or async context is made. Under pino-http (through nestjs-pino) a
 * trivial route cost about 60% more CPU per request, with the request line switched off.
 */
export function requestLogMiddleware(logger: pino.Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = assignRequestId(req, res);
    const startedAt = Date.now();
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const level = requestLogLevel(res.statusCode);
      if (!logger.isLevelEnabled(level)) return;
      const tenant = (req as Request & { tenant?: { tenantId: string } }).tenant;
      const route = routePattern(req);
      logger[level](
        {
          req: { id, method: req.method, url: safeUrl(req.originalUrl) },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - startedAt,
          ...(tenant ? { tenant_id: tenant.tenantId } : {}),
          ...(route ? { route } : {}),
        },
        level === 'error' ? 'request errored' : 'request completed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
