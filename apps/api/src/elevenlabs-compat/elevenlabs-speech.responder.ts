import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WordTiming } from '@cw/engines';
import type { RequestContext } from '../common/request-context/request-context';
import { abortOnDisconnect, sendAudioJson, streamAudio } from '../synthesis/audio-response';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import type { RenderEvent } from '../synthesis/synthesis.service';
import {
  type DeliveryOutcome,
  type SpokenAudio,
  SynthesisRunner,
} from '../synthesis/synthesis-runner';
import { alignText, httpAlignment } from './elevenlabs-alignment';
import { durationMs } from '@cw/audio';
import { requestIdOf } from '../common/http/request-id';

/** Usage endpoint names of the HTTP routes. */
export const ELEVENLABS_ENDPOINTS = {
  speech: 'elevenlabs/text-to-speech',
  stream: 'elevenlabs/text-to-speech/stream',
  timestamps: 'elevenlabs/text-to-speech/with-timestamps',
  streamTimestamps: 'elevenlabs/text-to-speech/stream/with-timestamps',
} as const;

const logger = new Logger('ElevenLabsSpeech');

function audioHeaders(spoken: SpokenAudio): Record<string, string> {
  const { profile } = spoken;
  return {
    'Content-Type': spoken.contentType,
    'Cache-Control': 'no-store',
    'X-Voice-ID': profile.voice.voiceId,
    'X-TTS-Method': spoken.engineId,
    ...(spoken.fallback ? { 'X-TTS-Fallback': 'true' } : {}),
    'X-Audio-Sample-Rate': String(profile.sampleRate),
  };
}

/** The ElevenLabs-shaped answers of the synthesis runner: audio, a stream, JSON with timings. */
@Injectable()
export class ElevenLabsSpeechResponder {
  constructor(private readonly runner: SynthesisRunner) {}

  /** The whole file at once, with its length (ElevenLabs' non-streaming route). */
  whole(ctx: RequestContext, dto: SynthesizeDto, req: Request, res: Response): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.whole(
      ctx,
      dto,
      ELEVENLABS_ENDPOINTS.speech,
      abort.signal,
      async (speech) => {
        res.status(200).set(audioHeaders(speech));
        res.setHeader('Content-Length', String(speech.audio.length));
        await new Promise<void>((resolve) => res.end(speech.audio, resolve));
      },
    );
  }

  stream(ctx: RequestContext, dto: SynthesizeDto, req: Request, res: Response): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.stream(
      ctx,
      dto,
      ELEVENLABS_ENDPOINTS.stream,
      abort.signal,
      (audio, spoken) => streamAudio(res, audio, () => audioHeaders(spoken()), abort.signal),
    );
  }

  /** `{audio_base64, alignment, normalized_alignment}`: character timings in seconds. */
  withTimestamps(
    ctx: RequestContext,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
  ): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.whole(
      ctx,
      dto,
      ELEVENLABS_ENDPOINTS.timestamps,
      abort.signal,
      async (speech) => {
        const { original, normalized } = alignText(dto.text, speech.words, speech.durationMs);
        await sendAudioJson(res, speech.audio, {
          alignment: httpAlignment(original),
          normalized_alignment: httpAlignment(normalized),
        });
      },
    );
  }

  /**
   * Newline-delimited JSON, one line per audio chunk as it is produced. The text's alignment is
   * known once its last word is spoken, so it rides on the last line; earlier lines carry null.
   */
  streamWithTimestamps(
    ctx: RequestContext,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
  ): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.streamEvents(
      ctx,
      dto,
      ELEVENLABS_ENDPOINTS.streamTimestamps,
      abort.signal,
      (events, spoken) => sendLines(res, dto.text, events, spoken, abort.signal),
    );
  }
}

async function sendLines(
  res: Response,
  text: string,
  events: AsyncIterator<RenderEvent>,
  spoken: () => SpokenAudio,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const words: WordTiming[] = [];
  let held: Buffer | undefined;
  let audioBytes = 0;
  const line = (audio: Buffer, last: boolean): Buffer => {
    let alignment: object | null = null;
    let normalized: object | null = null;
    if (last) {
      const { profile } = spoken();
      const aligned = alignText(
        text,
        words,
        durationMs(audioBytes, profile.format, profile.sampleRate),
      );
      alignment = httpAlignment(aligned.original);
      normalized = httpAlignment(aligned.normalized);
    }
    return Buffer.from(
      `${JSON.stringify({ audio_base64: audio.toString('base64'), alignment, normalized_alignment: normalized })}\n`,
    );
  };
  async function* lines(first: IteratorResult<RenderEvent>): AsyncGenerator<Buffer> {
    try {
      for (let next = first; !next.done; next = await events.next()) {
        const event = next.value;
        if (event.type === 'words') words.push(...event.words);
        if (event.type !== 'audio') continue;
        audioBytes += event.data.length;
        if (held) yield line(held, false);
        held = event.data;
      }
      yield line(held ?? Buffer.alloc(0), true);
    } finally {
      await events.return?.();
    }
  }
  // Errors before any audio (engine busy) still get a proper error answer.
  let first = await events.next();
  while (!first.done && first.value.type !== 'audio') {
    if (first.value.type === 'words') words.push(...first.value.words);
    first = await events.next();
  }
  res.status(200);
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Audio-Sample-Rate', String(spoken().profile.sampleRate));
  res.flushHeaders();
  try {
    await pipeline(Readable.from(lines(first)), res);
    return { status: 'completed' };
  } catch (err) {
    if (signal.aborted) return { status: 'cancelled' };
    logger.error(
      { err, requestId: requestIdOf(res.req) },
      'timestamped stream failed after headers were sent',
    );
    res.destroy(err instanceof Error ? err : undefined);
    return { status: 'failed', error: err };
  }
}
