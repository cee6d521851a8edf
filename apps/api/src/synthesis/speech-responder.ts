import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RequestContext } from '../common/request-context/request-context';
import { abortOnDisconnect, sendAudioJson, streamAudio } from './audio-response';
import type { SynthesizeDto } from './dto/synthesize.dto';
import type { TimestampedSpeechDto } from './dto/timestamps.dto';
import { type SpokenAudio, SynthesisRunner } from './synthesis-runner';

/**
 * The HTTP transports of the synthesis runner: a request's audio as a stream, as one file, or as
 * JSON with word timings. The runner admits, renders, meters and finishes; these only answer.
 */
@Injectable()
export class SpeechResponder {
  constructor(private readonly runner: SynthesisRunner) {}

  stream(
    auth: RequestContext,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
    /** The route as recorded in usage events. */
    endpoint = 'synthesize/streaming',
  ): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.stream(auth, dto, endpoint, abort.signal, (audio, spoken) =>
      streamAudio(res, audio, () => headers(spoken(), true), abort.signal),
    );
  }

  whole(auth: RequestContext, dto: SynthesizeDto, req: Request, res: Response): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.whole(auth, dto, 'synthesize', abort.signal, async (speech) => {
      res.status(200).set(headers(speech, false));
      res.setHeader('Content-Length', String(speech.audio.length));
      res.setHeader('X-Audio-Duration-Ms', String(speech.durationMs));
      await new Promise<void>((resolve) => res.end(speech.audio, resolve));
    });
  }

  /** The audio as base64 in JSON with its word timings, written in pieces (see sendAudioJson). */
  withTimestamps(
    auth: RequestContext,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
  ): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.whole(auth, dto, 'synthesize/with-timestamps', abort.signal, (speech) => {
      const rest: Omit<TimestampedSpeechDto, 'audio_base64'> = {
        content_type: speech.contentType,
        alignment: speech.words.map((w) => ({
          word: w.word,
          start_ms: w.startMs,
          end_ms: w.endMs,
        })),
        ...(speech.wordsEstimated ? { alignment_estimated: true } : {}),
        duration_s: speech.durationMs / 1000,
      };
      return sendAudioJson(res, speech.audio, rest);
    });
  }
}

function headers(spoken: SpokenAudio, streaming: boolean): Record<string, string> {
  const { profile } = spoken;
  return {
    'Content-Type': spoken.contentType,
    'Cache-Control': 'no-store',
    'X-Voice-ID': profile.voice.voiceId,
    'X-Tenant-ID': profile.tenant.tenantId,
    'X-TTS-Method': spoken.engineId,
    ...(spoken.fallback ? { 'X-TTS-Fallback': 'true' } : {}),
    'X-Audio-Sample-Rate': String(profile.sampleRate),
    ...(streaming ? { 'X-Streaming': 'true' } : {}),
    ...(spoken.cache ? { 'X-Cache': spoken.cache } : {}),
    ...pronunciationHeaders(spoken),
  };
}

/** Which dictionary versions were applied, and how many rules the engine could not say. */
function pronunciationHeaders(spoken: SpokenAudio): Record<string, string> {
  const { dictionaries } = spoken.profile.pronunciations;
  return {
    ...(dictionaries.length
      ? {
          'X-Pronunciation-Dictionaries': dictionaries.map((d) => `${d.id}@${d.version}`).join(','),
        }
      : {}),
    ...(spoken.skippedPronunciations > 0
      ? { 'X-Pronunciation-Rules-Skipped': String(spoken.skippedPronunciations) }
      : {}),
  };
}
