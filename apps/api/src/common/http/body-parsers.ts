import type { IncomingMessage } from 'node:http';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import iconv from 'iconv-lite';
import { assignRequestId } from './request-id';
import { CommonErrorCode } from '../errors/domain.exception';
import { errorBody } from '../errors/error-body';
import { jsonDepthExceeds, TOO_DEEP_MESSAGE } from './json-depth';

const TOO_DEEP = 'entity.too.deep';

/** Runs before JSON.parse: a body nested too deeply is refused before anything recurses over it. */
function rejectDeepJson(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  // body-parser accepts only utf-* charsets; anything but UTF-8 is decoded as it will be parsed.
  const text = encoding === 'utf-8' ? body : iconv.decode(body, encoding);
  if (jsonDepthExceeds(text)) throw Object.assign(new Error(TOO_DEEP_MESSAGE), { type: TOO_DEEP });
}

/**
 * JSON parsing with our error body. It is mounted as Nest middleware after the request logger
 * (see AppModule), so a body refused here still gets its one request log line; its errors never
 * reach the exception filter, so they are answered here in the same shape.
 */
export function jsonBodyParser(options: { untyped?: boolean } = {}): RequestHandler {
  const parse = express.json({
    limit: '1mb',
    verify: rejectDeepJson,
    // For routes whose clients send a JSON body with no Content-Type at all (a vendor's client):
    // such a body is parsed as JSON too. Mounted on those routes only.
    ...(options.untyped
      ? { type: (req: IncomingMessage) => req.headers['content-type'] === undefined }
      : {}),
  });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => (err ? answerBodyError(err, req, res, next) : next()));
  };
}

function answerBodyError(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = err as { type?: string; message?: string };
  const requestId = assignRequestId(req, res);
  if (e?.type === 'entity.parse.failed') {
    const message = `Malformed JSON body: ${e.message ?? 'could not parse'}`;
    res.status(400).json(errorBody(400, CommonErrorCode.InvalidJson, message, requestId));
    return;
  }
  if (e?.type === TOO_DEEP) {
    const message = `Malformed JSON body: ${TOO_DEEP_MESSAGE}`;
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
}
