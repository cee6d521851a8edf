import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import pino from 'pino';
import { requestLogLevel, requestLogMiddleware } from './request-log.middleware';

/** A response that finishes with `statusCode`, as Express's would. */
function fakeExchange(statusCode: number): { req: Request; res: Response & EventEmitter } {
  const res = Object.assign(new EventEmitter(), {
    statusCode,
    headersSent: false,
    setHeader: () => undefined,
    getHeader: () => undefined,
  }) as unknown as Response & EventEmitter;
  const req = { method: 'POST', originalUrl: '/v1/synthesize/streaming', headers: {} } as Request;
  return { req, res };
}

describe('request log', () => {
  it.each([
    [200, 'info'],
    [304, 'info'],
    [400, 'warn'],
    [429, 'warn'],
    [500, 'error'],
    [502, 'error'],
    [503, 'warn'],
  ])('logs a %i at %s', (status, level) => {
    expect(requestLogLevel(status)).toBe(level);
  });

  it('writes one line per request, a refusal with 503 as a warning', () => {
    const lines: { level: number; msg: string; res: { statusCode: number } }[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    const middleware = requestLogMiddleware(logger);
    for (const status of [503, 500, 200]) {
      const { req, res } = fakeExchange(status);
      middleware(req, res, (() => undefined) as NextFunction);
      res.emit('finish');
      res.emit('close');
    }
    // The 200 is below the logger's level; the others are written once each.
    expect(lines.map((l) => [l.res.statusCode, l.level, l.msg])).toEqual([
      [503, 40, 'request completed'],
      [500, 50, 'request errored'],
    ]);
  });
});
