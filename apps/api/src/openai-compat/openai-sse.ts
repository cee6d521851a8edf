import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RequestContext } from '../common/request-context/request-context';
import { abortOnDisconnect, streamAudio } from '../synthesis/audio-response';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import { SynthesisRunner } from '../synthesis/synthesis-runner';

/**
 * `stream_format: "sse"`: the audio as OpenAI's server-sent events, `speech.audio.delta` with a
 * base64 slice of the audio as it is produced, then `speech.audio.done` with usage. OpenAI counts
 * tokens; we have none, so usage reports the characters spoken as input tokens.
 */
@Injectable()
export class OpenAiSseResponder {
  constructor(private readonly runner: SynthesisRunner) {}

  stream(
    auth: RequestContext,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
    endpoint: string,
  ): Promise<void> {
    const abort = abortOnDisconnect(req, res);
    return this.runner.stream(auth, dto, endpoint, abort.signal, (audio, spoken) =>
      streamAudio(
        res,
        sseEvents(audio, dto.text.length),
        () => {
          const { profile } = spoken();
          return {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Voice-ID': profile.voice.voiceId,
            'X-Tenant-ID': profile.tenant.tenantId,
            'X-Audio-Sample-Rate': String(profile.sampleRate),
            'X-Streaming': 'true',
          };
        },
        abort.signal,
      ),
    );
  }
}

const event = (data: object) =>
  Buffer.from(`event: ${(data as { type: string }).type}\ndata: ${JSON.stringify(data)}\n\n`);

async function* sseEvents(
  audio: AsyncIterator<Buffer>,
  characters: number,
): AsyncGenerator<Buffer> {
  try {
    for (let next = await audio.next(); !next.done; next = await audio.next()) {
      yield event({ type: 'speech.audio.delta', audio: next.value.toString('base64') });
    }
  } finally {
    await audio.return?.();
  }
  yield event({
    type: 'speech.audio.done',
    usage: { input_tokens: characters, output_tokens: 0, total_tokens: characters },
  });
}
