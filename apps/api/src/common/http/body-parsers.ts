import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { assignRequestId } from './request-id';
import { CommonErrorCode } from '../errors/domain.exception';
import { errorBody } from '../errors/error-body';

export interface BodyParserOptions {
  /**
   * Paths whose JSON bodies may come with no Content-Type at all (a vendor's client that omits
   * it); everywhere else only `application/json` is parsed.
   */
  untypedJsonPaths?: readonly string[];
}

/**
 * JSON parsing with our error body. body-parser runs before Nest's routing, so its errors never
 * reach the exception filter; this handler answers them in the same shape.
 */
export function installBodyParsers(app: INestApplication, options: BodyParserOptions = {}): void {
  app.use(express.json({ limit: '1mb' }));
  const untyped = new Set(options.untypedJsonPaths ?? []);
  if (untyped.size) {
    app.use(
      express.json({
        limit: '1mb',
        type: (req) => req.headers['content-type'] === undefined && untyped.has(pathOf(req.url)),
      }),
    );
  }
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; message?: string };
    const requestId = assignRequestId(req, res);
    if (e?.type === 'entity.parse.failed') {
      const message = `Malformed JSON body: ${e.message ?? 'could not parse'}`;
      res.status(400).json(errorBody(400, CommonErrorCode.InvalidJson, message, requestId));
      return;
    }
    if (e?.type === 'entity.too.large') {
      const message = 'Request body is too large (limit 1 MB)';
      res.status(413).json(errorBody(413, CommonErrorCode.PayloadTooLarge, message, requestId));
      return;
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      res
        .status(415)
        .json(
          errorBody(
            415,
            CommonErrorCode.UnsupportedMediaType,
            e.message ?? 'Unsupported encoding',
            requestId,
          ),
        );
      return;
    }
    next(err);
  });
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0];
}
