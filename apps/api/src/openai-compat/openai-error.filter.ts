import { Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, type MappedError } from '../common/errors/all-exceptions.filter';
import { CommonErrorCode } from '../common/errors/domain.exception';
import { UsageErrorCode } from '../usage/usage.exception';
import type { OpenAiErrorBody } from './openai-error-body';

/** Our codes whose fault lies in one request field. */
const PARAM_OF_CODE: Readonly<Record<string, string>> = {
  empty_text: 'input',
  invalid_ssml: 'input',
  voice_not_found: 'voice',
  voice_unavailable: 'voice',
};

function typeOf(status: number, code: string): string {
  if (code === (UsageErrorCode.QuotaExceeded as string)) return 'insufficient_quota';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Answers every error of an OpenAI-compatible route in OpenAI's shape, including those of the
 * global auth and rate-limit guards, so OpenAI SDKs report them properly. Status, headers
 * (Retry-After, X-Request-ID), logging and the cut-off of a started stream stay those of the
 * global filter; only 422 becomes 400, the status OpenAI uses for every invalid request.
 */
@Catch()
export class OpenAiErrorFilter extends AllExceptionsFilter {
  constructor(private readonly knownParams: readonly string[]) {
    super();
  }

  protected override respond(
    res: Response,
    mapped: MappedError,
    _requestId: string,
    req: Request,
  ): void {
    const status = mapped.status === 422 ? 400 : mapped.status;
    let param = PARAM_OF_CODE[mapped.code] ?? stringOrNull(mapped.extra?.param);
    let code = mapped.code;
    if (mapped.code === (CommonErrorCode.ValidationFailed as string)) {
      const fields = Object.keys((mapped.extra?.fields as Record<string, unknown>) ?? {});
      param = fields[0] ?? null;
      // A query parameter (our ?nigerian_lexicon=) was sent, so its value is what is wrong.
      const inQuery = param !== null && Object.hasOwn(req.query ?? {}, param);
      code = !param
        ? mapped.code
        : inQuery
          ? 'invalid_value'
          : this.validationCode(param, req.body);
    }
    const body: OpenAiErrorBody = {
      error: { message: mapped.message, type: typeOf(mapped.status, mapped.code), param, code },
    };
    res.status(status).json(body);
  }

  private validationCode(param: string, body: unknown): string {
    if (!this.knownParams.includes(param)) return 'unknown_parameter';
    const value =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>)[param]
        : undefined;
    return value === undefined || value === null ? 'missing_required_parameter' : 'invalid_value';
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
