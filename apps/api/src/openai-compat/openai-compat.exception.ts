import { DomainException } from '../common/errors/domain.exception';

/** Codes as OpenAI names them, so clients written for OpenAI recognise them. */
export enum OpenAiCompatErrorCode {
  /** A value OpenAI accepts that this service cannot honour (opus, sse, ...). */
  UnsupportedValue = 'unsupported_value',
}

const STATUS: Record<OpenAiCompatErrorCode, number> = {
  [OpenAiCompatErrorCode.UnsupportedValue]: 400,
};

/** Carries the request field at fault, which OpenAI's error body reports as `param`. */
export class OpenAiCompatException extends DomainException {
  constructor(code: OpenAiCompatErrorCode, message: string, param: string) {
    super(code, message, STATUS[code], { extra: { param } });
  }
}
