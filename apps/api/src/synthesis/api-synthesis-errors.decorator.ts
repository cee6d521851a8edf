import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from '../common/errors/error-body';

/** The error responses every synthesizing route shares, documented once for the OpenAPI document. */
export function ApiSynthesisErrors(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiResponse({
      status: 400,
      type: ErrorBody,
      description: 'empty_text, invalid_ssml, invalid_json',
    }),
    ApiResponse({ status: 404, type: ErrorBody, description: 'voice_not_found' }),
    ApiResponse({
      status: 422,
      type: ErrorBody,
      description: 'validation_failed, unsupported_sample_rate, unsupported_language',
    }),
    ApiResponse({
      status: 429,
      type: ErrorBody,
      description: 'rate_limit_exceeded, quota_exceeded, too_many_concurrent_requests',
    }),
    ApiResponse({
      status: 503,
      type: ErrorBody,
      description: 'engine_busy, engine_unavailable (with Retry-After)',
    }),
  );
}
