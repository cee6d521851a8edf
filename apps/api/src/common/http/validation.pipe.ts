import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrorCode, DomainException } from '../errors/domain.exception';
import { findNulChar, nulCharMessage } from './nul-char';

function collect(errors: ValidationError[], prefix = '', out: Record<string, string[]> = {}) {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints);
    if (e.children?.length) collect(e.children, path, out);
  }
  return out;
}

function validationFailed(fields: Record<string, string[]>): DomainException {
  const message = Object.values(fields).flat().join('; ') || 'Request validation failed';
  return new DomainException(CommonErrorCode.ValidationFailed, message, 422, {
    extra: { fields },
  });
}

/**
 * DTO validation: unknown fields rejected, violations → 422 validation_failed with per-field
 * messages. `ignoreUnknownFields` (vendor-compatible routes whose clients send fields we do not
 * define) strips unknown fields instead; `expectedType` validates a parameter declared without
 * one. Before any DTO rule, every string the caller sent (body, query and path parameters,
 * typed or not) is checked for U+0000, so no route has to remember to.
 */
class EdgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const field = findNulChar(value, metadata.data ?? '');
      if (field !== undefined) throw validationFailed({ [field]: [nulCharMessage(field)] });
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(
  options: { ignoreUnknownFields?: boolean; expectedType?: new () => object } = {},
): ValidationPipe {
  return new EdgeValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: !options.ignoreUnknownFields,
    expectedType: options.expectedType,
    exceptionFactory: (errors) => validationFailed(collect(errors)),
  });
}
