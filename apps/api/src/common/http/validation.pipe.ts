import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrorCode, DomainException } from '../errors/domain.exception';

function collect(errors: ValidationError[], prefix = '', out: Record<string, string[]> = {}) {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) collect(e.children, path, out);
  }
  return out;
}

/**
 * DTO validation: unknown fields rejected, violations → 422 validation_failed with per-field
 * messages. `ignoreUnknownFields` (vendor-compatible routes whose clients send fields we do not
 * define) strips unknown fields instead; `expectedType` validates a parameter declared without one.
 */
export function createValidationPipe(
  options: { ignoreUnknownFields?: boolean; expectedType?: new () => object } = {},
): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: !options.ignoreUnknownFields,
    expectedType: options.expectedType,
    exceptionFactory: (errors) => {
      const fields = collect(errors);
      const message = Object.values(fields).flat().join('; ') || 'Request validation failed';
      return new DomainException(CommonErrorCode.ValidationFailed, message, 422, {
        extra: { fields },
      });
    },
  });
}
