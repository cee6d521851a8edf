import { type AudioFormat, S16ToF32Converter, wavHeader, WavFormatTag } from '@cw/audio';
import { clamp } from '@cw/util';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import { resolveCartesiaVoice } from './cartesia-voices';
import type {
  CartesiaEncoding,
  CartesiaOutputFormatDto,
  CartesiaTtsRequestDto,
} from './dto/cartesia-tts-request.dto';

/** What our engine renders for each Cartesia encoding; f32 is converted from 16-bit PCM. */
const RENDER_FORMAT: Record<CartesiaEncoding, AudioFormat> = {
  pcm_s16le: 'pcm',
  pcm_f32le: 'pcm',
  pcm_mulaw: 'mulaw',
  pcm_alaw: 'alaw',
};

const WAV_LAYOUT: Record<CartesiaEncoding, { format: WavFormatTag; bitsPerSample: number }> = {
  pcm_s16le: { format: WavFormatTag.Pcm, bitsPerSample: 16 },
  pcm_f32le: { format: WavFormatTag.Float, bitsPerSample: 32 },
  pcm_mulaw: { format: WavFormatTag.Mulaw, bitsPerSample: 8 },
  pcm_alaw: { format: WavFormatTag.Alaw, bitsPerSample: 8 },
};

/** Cartesia's older `speed` words, as our speed factor. */
const SPEED_WORDS: Readonly<Record<string, number>> = { slow: 0.8, normal: 1, fast: 1.25 };

/** Our engine's speed range. */
const SPEED_MIN = 0.5;
const SPEED_MAX = 2;

/** How one Cartesia output format is produced: what the engine renders, and what is added. */
export class CartesiaOutput {
  /** The format our synthesis renders; wav and f32 are shaped from it here. */
  readonly render: AudioFormat;
  readonly sampleRate: number;
  readonly contentType: string;

  constructor(private readonly format: CartesiaOutputFormatDto) {
    this.render =
      format.container === 'mp3' ? 'mp3' : RENDER_FORMAT[format.encoding ?? 'pcm_s16le'];
    this.sampleRate = format.sample_rate;
    this.contentType =
      format.container === 'mp3'
        ? 'audio/mpeg'
        : format.container === 'wav'
          ? 'audio/wav'
          : 'application/octet-stream';
  }

  /** A fresh shaper for one stream of audio (a request, or a WebSocket context). */
  shaper(): AudioShaper {
    const { container, encoding = 'pcm_s16le', sample_rate: sampleRate } = this.format;
    const head =
      container === 'wav'
        ? wavHeader({ sampleRate, channels: 1, ...WAV_LAYOUT[encoding] })
        : Buffer.alloc(0);
    const f32 = container !== 'mp3' && encoding === 'pcm_f32le' ? new S16ToF32Converter() : null;
    return new AudioShaper(head, f32);
  }
}

/** Rendered audio as the client asked for it: a streaming WAV header first, f32 samples. */
export class AudioShaper {
  constructor(
    private head: Buffer,
    private readonly f32: S16ToF32Converter | null,
  ) {}

  shape(rendered: Buffer): Buffer {
    const audio = this.f32 ? this.f32.convert(rendered) : rendered;
    if (!this.head.length) return audio;
    const out = Buffer.concat([this.head, audio]);
    this.head = Buffer.alloc(0);
    return out;
  }
}

export function cartesiaVoiceId(voice: CartesiaTtsRequestDto['voice']): string {
  return resolveCartesiaVoice(typeof voice === 'string' ? voice : voice.id);
}

/** `generation_config.speed`, else the older `speed` (a word or a number), clamped. */
export function cartesiaSpeed(dto: Pick<CartesiaTtsRequestDto, 'speed' | 'generation_config'>) {
  const raw = dto.generation_config?.speed ?? dto.speed;
  const speed =
    typeof raw === 'number' && Number.isFinite(raw)
      ? raw
      : typeof raw === 'string'
        ? (SPEED_WORDS[raw] ?? 1)
        : 1;
  return clamp(speed, SPEED_MIN, SPEED_MAX);
}

/** A Cartesia request as one of our synthesis requests, rendered in `output.render`. */
export function toSynthesizeDto(dto: CartesiaTtsRequestDto, output: CartesiaOutput): SynthesizeDto {
  return {
    text: dto.transcript,
    voice_id: cartesiaVoiceId(dto.voice),
    language: dto.language ?? 'en',
    format: output.render,
    sample_rate: output.sampleRate,
    speed: cartesiaSpeed(dto),
    ssml: false,
  };
}
