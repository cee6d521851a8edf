import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';

/** The query parameter that switches the built-in Nigerian lexicon on the vendor routes. */
export const NIGERIAN_LEXICON_PARAM = 'nigerian_lexicon';

const MESSAGE = `${NIGERIAN_LEXICON_PARAM} must be true or false`;

/**
 * `?nigerian_lexicon=true|false` on a vendor-compatible route, where the body must stay the
 * vendor's: the request's switch for the built-in lexicon; absent (or empty) means the tenant's
 * setting. Anything else is 422 validation_failed naming the parameter.
 */
export function parseNigerianLexicon(value: unknown): boolean | undefined {
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (first === undefined || first === null || first === '') return undefined;
  if (first === 'true') return true;
  if (first === 'false') return false;
  throw new DomainException(CommonErrorCode.ValidationFailed, MESSAGE, 422, {
    extra: { fields: { [NIGERIAN_LEXICON_PARAM]: [MESSAGE] } },
  });
}

/** The parsed `?nigerian_lexicon=` of an HTTP request (see parseNigerianLexicon). */
export const NigerianLexiconQuery = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): boolean | undefined =>
    parseNigerianLexicon(ctx.switchToHttp().getRequest<Request>().query[NIGERIAN_LEXICON_PARAM]),
);

/** Its OpenAPI description, for the routes that take it. */
export const ApiNigerianLexiconQuery = () =>
  ApiQuery({
    name: NIGERIAN_LEXICON_PARAM,
    required: false,
    type: Boolean,
    description:
      "Our extension: the built-in Nigerian lexicon for this request (absent: the tenant's setting)",
  });
