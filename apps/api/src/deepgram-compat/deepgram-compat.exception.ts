import { DomainException } from '../common/errors/domain.exception';

export enum DeepgramCompatErrorCode {
  /** A value Deepgram accepts that this service cannot produce (opus, 48 kHz, callbacks...). */
  UnsupportedValue = 'unsupported_value',
  /** A value Deepgram itself would refuse. */
  InvalidValue = 'invalid_value',
}

const STATUS: Record<DeepgramCompatErrorCode, number> = {
  [DeepgramCompatErrorCode.UnsupportedValue]: 400,
  [DeepgramCompatErrorCode.InvalidValue]: 400,
};

export class DeepgramCompatException extends DomainException {
  constructor(code: DeepgramCompatErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
