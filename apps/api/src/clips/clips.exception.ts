import { DomainException } from '../common/errors/domain.exception';

export enum ClipErrorCode {
  InvalidSignature = 'invalid_signature',
  UrlExpired = 'url_expired',
  NotFound = 'clip_not_found',
}

const STATUS: Record<ClipErrorCode, number> = {
  [ClipErrorCode.InvalidSignature]: 403,
  [ClipErrorCode.UrlExpired]: 403,
  [ClipErrorCode.NotFound]: 404,
};

export class ClipException extends DomainException {
  constructor(code: ClipErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
