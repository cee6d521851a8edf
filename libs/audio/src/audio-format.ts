import { mp3BitrateFor } from './mp3';

export const AUDIO_FORMATS = ['wav', 'pcm', 'mulaw', 'alaw', 'mp3'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** Output rates the API offers; every encoder accepts all of them (G.711 only 8000). */
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];

export function isAudioFormat(value: string): value is AudioFormat {
  return (AUDIO_FORMATS as readonly string[]).includes(value);
}

export function contentTypeFor(format: AudioFormat, sampleRate: number): string {
  switch (format) {
    case 'wav':
      return 'audio/wav';
    case 'pcm':
      // Our raw PCM is little-endian (what telephony stacks expect), unlike RFC 2586's L16.
      return `audio/L16;rate=${sampleRate}`;
    case 'mulaw':
      return 'audio/basic';
    case 'alaw':
      return 'audio/x-alaw-basic';
    case 'mp3':
      return 'audio/mpeg';
  }
}

/**
 * Playing time of `byteCount` bytes of encoded audio, not counting a WAV header. For mp3 it is
 * estimated from the constant bitrate, so it is off by up to a frame.
 */
export function durationMs(byteCount: number, format: AudioFormat, sampleRate: number): number {
  switch (format) {
    case 'wav':
    case 'pcm':
      return (byteCount / 2 / sampleRate) * 1000;
    case 'mulaw':
    case 'alaw':
      return (byteCount / sampleRate) * 1000;
    case 'mp3':
      return (byteCount * 8) / mp3BitrateFor(sampleRate);
  }
}
