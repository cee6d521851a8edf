import { DomainException } from '../common/errors/domain.exception';

export enum SynthesisErrorCode {
  EmptyText = 'empty_text',
  InvalidSsml = 'invalid_ssml',
  UnsupportedSampleRate = 'unsupported_sample_rate',
  VoiceUnavailable = 'voice_unavailable',
  /** More audio than MAX_AUDIO_SECONDS_PER_REQUEST, estimated from the text or reached while rendering. */
  AudioTooLong = 'audio_too_long',
}

const STATUS: Record<SynthesisErrorCode, number> = {
  [SynthesisErrorCode.EmptyText]: 400,
  [SynthesisErrorCode.InvalidSsml]: 400,
  [SynthesisErrorCode.UnsupportedSampleRate]: 422,
  [SynthesisErrorCode.VoiceUnavailable]: 422,
  [SynthesisErrorCode.AudioTooLong]: 400,
};

export class SynthesisException extends DomainException {
  constructor(code: SynthesisErrorCode, message: string, extra?: Record<string, unknown>) {
    super(code, message, STATUS[code], { extra });
  }
}
