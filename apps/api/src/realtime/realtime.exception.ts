import { DomainException } from '../common/errors/domain.exception';

/** Codes of the WebSocket API's own errors (sent as error frames, or on a refused upgrade). */
export enum RealtimeErrorCode {
  InvalidJson = 'invalid_json',
  InvalidMessage = 'invalid_message',
  UnknownType = 'unknown_message_type',
  ValidationFailed = 'validation_failed',
  ConfigAfterText = 'config_after_text',
  SessionClosing = 'session_closing',
  TextBufferFull = 'text_buffer_full',
  BadRequest = 'bad_request',
  NotFound = 'not_found',
}

const STATUS: Record<RealtimeErrorCode, number> = {
  [RealtimeErrorCode.InvalidJson]: 400,
  [RealtimeErrorCode.InvalidMessage]: 400,
  [RealtimeErrorCode.UnknownType]: 400,
  [RealtimeErrorCode.ValidationFailed]: 422,
  [RealtimeErrorCode.ConfigAfterText]: 409,
  [RealtimeErrorCode.SessionClosing]: 409,
  [RealtimeErrorCode.TextBufferFull]: 429,
  [RealtimeErrorCode.BadRequest]: 400,
  [RealtimeErrorCode.NotFound]: 404,
};

export class RealtimeException extends DomainException {
  constructor(code: RealtimeErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
