import { DomainException } from '../common/errors/domain.exception';

export enum VoiceErrorCode {
  NotFound = 'voice_not_found',
}

const STATUS: Record<VoiceErrorCode, number> = {
  [VoiceErrorCode.NotFound]: 404,
};

export class VoiceException extends DomainException {
  constructor(code: VoiceErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
