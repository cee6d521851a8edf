/** How much a decode produced: reported with a refusal, so callers (and tests) see it stopped. */
export interface DecodeStats {
  /** Samples per channel the decoder produced before it finished or stopped. */
  framesDecoded: number;
  /** The most samples (all channels) a single decoding step produced: the step's memory bound. */
  largestStepSamples: number;
}

export enum AudioErrorCode {
  InvalidWav = 'invalid_wav',
  UnsupportedWav = 'unsupported_wav',
  UnsupportedSampleRate = 'unsupported_sample_rate',
  /** Uploaded bytes are not a recognisable or decodable audio file. */
  InvalidAudio = 'invalid_audio',
  /** A recognised container or codec that we do not decode (Ogg Vorbis, RF64, ...). */
  UnsupportedAudio = 'unsupported_audio',
  AudioTooLong = 'audio_too_long',
  /** More channels than any voice recording has; refused before decoding. */
  TooManyChannels = 'too_many_channels',
  /** Every decoding thread is busy and the queue is full; retry later. */
  AudioBusy = 'audio_busy',
  /** The thread encoding a stream died; the stream cannot go on (the thread is replaced). */
  EncoderFailed = 'encoder_failed',
}

/** Domain error for bad audio input or an impossible encoding request; `code` maps to a status. */
export class AudioError extends Error {
  constructor(
    readonly code: AudioErrorCode,
    message: string,
    /** How far decoding got before the error, where there was any decoding. */
    readonly stats?: DecodeStats,
  ) {
    super(message);
    this.name = 'AudioError';
  }
}
