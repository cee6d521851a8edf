import { DomainException } from '../common/errors/domain.exception';

export enum PronunciationErrorCode {
  NotFound = 'pronunciation_dictionary_not_found',
  RuleNotFound = 'pronunciation_rule_not_found',
  InvalidPhoneme = 'invalid_phoneme',
  InvalidPls = 'invalid_pls',
  MissingFile = 'validation_failed',
  TooManyDictionaries = 'pronunciation_dictionary_limit_reached',
  TooManyRules = 'pronunciation_rule_limit_reached',
  TooManyBytes = 'pronunciation_size_limit_reached',
}

const STATUS: Record<PronunciationErrorCode, number> = {
  [PronunciationErrorCode.NotFound]: 404,
  [PronunciationErrorCode.RuleNotFound]: 404,
  [PronunciationErrorCode.InvalidPhoneme]: 400,
  [PronunciationErrorCode.InvalidPls]: 400,
  [PronunciationErrorCode.MissingFile]: 422,
  [PronunciationErrorCode.TooManyDictionaries]: 409,
  [PronunciationErrorCode.TooManyRules]: 409,
  [PronunciationErrorCode.TooManyBytes]: 409,
};

export class PronunciationException extends DomainException {
  constructor(code: PronunciationErrorCode, message: string, extra?: Record<string, unknown>) {
    super(code, message, STATUS[code], { extra });
  }
}
