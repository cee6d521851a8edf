import { DomainException } from '../common/errors/domain.exception';

export enum VoiceErrorCode {
  NotFound = 'voice_not_found',
  InvalidAudio = 'invalid_audio',
  AudioTooShort = 'audio_too_short',
  AudioTooLong = 'audio_too_long',
  TooManyChannels = 'too_many_channels',
  AudioSilent = 'audio_silent',
  LimitReached = 'voice_limit_reached',
  BuiltinVoice = 'builtin_voice',
  NoReference = 'no_reference_audio',
  MissingFile = 'validation_failed',
  UploadBusy = 'upload_busy',
  UnknownEngine = 'unknown_engine',
  UnknownEngineVoice = 'invalid_engine_voice',
}

const STATUS: Record<VoiceErrorCode, number> = {
  [VoiceErrorCode.NotFound]: 404,
  [VoiceErrorCode.InvalidAudio]: 400,
  [VoiceErrorCode.AudioTooShort]: 400,
  [VoiceErrorCode.AudioTooLong]: 400,
  [VoiceErrorCode.TooManyChannels]: 400,
  [VoiceErrorCode.AudioSilent]: 400,
  [VoiceErrorCode.LimitReached]: 409,
  [VoiceErrorCode.BuiltinVoice]: 403,
  [VoiceErrorCode.NoReference]: 404,
  [VoiceErrorCode.MissingFile]: 422,
  [VoiceErrorCode.UploadBusy]: 503,
  [VoiceErrorCode.UnknownEngine]: 400,
  [VoiceErrorCode.UnknownEngineVoice]: 400,
};

export class VoiceException extends DomainException {
  constructor(
    code: VoiceErrorCode,
    message: string,
    extra?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    super(code, message, STATUS[code], { extra, headers });
  }
}
