export enum AudioErrorCode {
  InvalidWav = 'invalid_wav',
  UnsupportedWav = 'unsupported_wav',
  UnsupportedSampleRate = 'unsupported_sample_rate',
}

/** Domain error for bad audio input or an impossible encoding request; `code` maps to a status. */
export class AudioError extends Error {
  constructor(
    readonly code: AudioErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AudioError';
  }
}
