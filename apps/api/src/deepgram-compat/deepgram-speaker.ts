import { Injectable } from '@nestjs/common';
import { WavFormatTag, wavHeader } from '@cw/audio';
import type { Request, Response } from 'express';
import type { RequestContext } from '../common/request-context/request-context';
import { abortOnDisconnect, streamAudio } from '../synthesis/audio-response';
import { SynthesisRunner } from '../synthesis/synthesis-runner';
import {
  type DeepgramSpeak,
  parseSpeakQuery,
  type QueryValues,
  textOf,
} from './deepgram-speak.mapper';

export const DEEPGRAM_SPEAK_ENDPOINT = 'deepgram/speak';

/** The WAV format tag of G.711 audio, whose WAV header we write ourselves. */
const G711_TAG = { mulaw: WavFormatTag.Mulaw, alaw: WavFormatTag.Alaw } as const;

/** `POST /v1/speak`: one text, its audio streamed back through the synthesis runner. */
@Injectable()
export class DeepgramSpeaker {
  constructor(private readonly runner: SynthesisRunner) {}

  async speak(
    ctx: RequestContext,
    query: QueryValues,
    body: unknown,
    req: Request,
    res: Response,
  ): Promise<void> {
    const speak = parseSpeakQuery(query, false);
    const text = textOf(body);
    const abort = abortOnDisconnect(req, res);
    await this.runner.stream(
      ctx,
      { ...speak.options, text, ssml: false },
      DEEPGRAM_SPEAK_ENDPOINT,
      abort.signal,
      (audio, spoken) =>
        streamAudio(
          res,
          withG711Header(speak, audio),
          () => {
            const { profile, contentType } = spoken();
            return {
              'Content-Type': g711Tag(speak) === undefined ? contentType : 'audio/wav',
              'Cache-Control': 'no-store',
              'dg-request-id': ctx.requestId,
              'dg-model-name': speak.model,
              'dg-char-count': String(text.length),
              'X-Voice-ID': profile.voice.voiceId,
              'X-Audio-Sample-Rate': String(profile.sampleRate),
            };
          },
          abort.signal,
        ),
    );
  }
}

function g711Tag(speak: DeepgramSpeak): WavFormatTag | undefined {
  if (!speak.wav || (speak.encoding !== 'mulaw' && speak.encoding !== 'alaw')) return undefined;
  return G711_TAG[speak.encoding];
}

/** Mu-law and A-law in a WAV container: a streaming header (unknown sizes) before the audio. */
async function* withG711Header(
  speak: DeepgramSpeak,
  audio: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  const tag = g711Tag(speak);
  try {
    let first = true;
    for (let next = await audio.next(); !next.done; next = await audio.next()) {
      if (first && tag !== undefined) {
        const header = wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 8, format: tag });
        yield Buffer.concat([header, next.value]);
      } else {
        yield next.value;
      }
      first = false;
    }
  } finally {
    await audio.return?.();
  }
}
