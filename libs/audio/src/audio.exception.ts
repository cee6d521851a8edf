export enum AudioErrorCode {
  InvalidWav = 'invalid_wav',
  UnsupportedWav = 'unsupported_wav',
  UnsupportedSampleRate = 'unsupported_sample_rate',
  /** Uploaded bytes are not a recognisable or decodable audio file. */
  InvalidAudio = 'invalid_audio',
  /** A recognised container or codec that we do not decode (Ogg Vorbis, RF64, ...). */
  UnsupportedAudio = 'unsupported_audio',
  AudioTooLong = 'audio_too_long',
  /** Every decoding thread is busy and the queue is full; retry later. */
  AudioBusy = 'audio_busy',
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
