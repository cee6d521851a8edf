import { DomainException } from '../common/errors/domain.exception';

/** Errors of the ElevenLabs-compatible surface itself (requests ElevenLabs takes that we cannot). */
export enum ElevenLabsErrorCode {
  /** An `output_format` ElevenLabs offers that this service has no encoder for (opus). */
  UnsupportedOutputFormat = 'unsupported_output_format',
  /** An `output_format` that is not one of ElevenLabs' names at all. */
  InvalidOutputFormat = 'invalid_output_format',
  /** A WebSocket message that is not one of the protocol's. */
  InvalidMessage = 'invalid_message',
  /** More contexts open at once on one socket than ElevenLabs allows (5). */
  TooManyContexts = 'max_active_conversations',
}

const STATUS: Record<ElevenLabsErrorCode, number> = {
  [ElevenLabsErrorCode.UnsupportedOutputFormat]: 400,
  [ElevenLabsErrorCode.InvalidOutputFormat]: 400,
  [ElevenLabsErrorCode.InvalidMessage]: 400,
  [ElevenLabsErrorCode.TooManyContexts]: 429,
};

export class ElevenLabsException extends DomainException {
  constructor(code: ElevenLabsErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
