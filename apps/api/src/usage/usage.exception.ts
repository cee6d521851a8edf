import { DomainException } from '../common/errors/domain.exception';

export enum UsageErrorCode {
  QuotaExceeded = 'quota_exceeded',
  TooManyConcurrent = 'too_many_concurrent_requests',
  InvalidRange = 'validation_failed',
}

const STATUS: Record<UsageErrorCode, number> = {
  [UsageErrorCode.QuotaExceeded]: 429,
  [UsageErrorCode.TooManyConcurrent]: 429,
  [UsageErrorCode.InvalidRange]: 422,
};

export class UsageException extends DomainException {
  constructor(
    code: UsageErrorCode,
    message: string,
    options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(code, message, STATUS[code], options);
  }
}
