import { Injectable } from '@nestjs/common';
import { wavHeader } from '@cw/audio';
import { EngineError, type WordTiming } from '@cw/engines';
import type { AuthenticatedKey } from '../auth/auth.decorators';
import { DomainException } from '../common/errors/domain.exception';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import { type SynthesisJob, SynthesisService } from '../synthesis/synthesis.service';
import type { Tenant } from '../tenants/tenant.entity';
import { SynthesisMeterService } from '../usage/synthesis-meter.service';
import type { UsageStatus } from '../usage/usage-event.entity';

export interface Caller {
  tenant: Tenant;
  key: AuthenticatedKey;
  requestId: string;
}

/** One whole rendering: the complete file (WAV with its real sizes) and the word timings. */
export interface WholeSpeech {
  job: SynthesisJob;
  audio: Buffer;
  contentType: string;
  words: WordTiming[];
  durationMs: number;
}

function errorCode(err: unknown): string {
  if (err instanceof DomainException || err instanceof EngineError) return err.code;
  return 'internal_error';
}

/**
 * Whole-file synthesis for routes that answer with something other than the audio stream (a
 * signed URL, JSON with timings), metered like /v1/synthesize: caller mistakes are found before
 * admission, quota and concurrency admit it, and exactly one usage event records the outcome.
 */
@Injectable()
export class WholeSpeechService {
  constructor(
    private readonly synthesis: SynthesisService,
    private readonly meters: SynthesisMeterService,
  ) {}

  /**
   * Renders, then hands the result to `deliver` (store it, shape a body) while the concurrency
   * slot is still held; the audio counts as delivered once `deliver` succeeds.
   */
  async render<T>(
    caller: Caller,
    dto: SynthesizeDto,
    endpoint: string,
    signal: AbortSignal,
    deliver: (speech: WholeSpeech) => Promise<T>,
  ): Promise<T> {
    const job = await this.synthesis.prepare(caller.tenant, dto);
    const meter = await this.meters.begin({
      tenant: caller.tenant,
      apiKeyId: caller.key.id,
      requestId: caller.requestId,
      endpoint,
      streaming: false,
      characters: job.characters,
    });
    meter.voiceId = job.voice.voiceId;
    meter.engine = this.synthesis.engineId;
    meter.format = job.format;
    meter.sampleRate = job.sampleRate;
    const finish = (status: UsageStatus, code: string | null) => {
      meter.engine = job.engineUsed ?? meter.engine;
      meter.finish(status, code);
    };
    try {
      const speech = await this.collect(job, signal);
      const result = await deliver(speech);
      meter.sent(speech.audio.length);
      finish('completed', null);
      return result;
    } catch (err) {
      finish(signal.aborted ? 'cancelled' : 'failed', errorCode(err));
      throw err;
    }
  }

  private async collect(job: SynthesisJob, signal: AbortSignal): Promise<WholeSpeech> {
    // WAV is rendered as PCM and given a header with the real sizes at the end.
    const format = job.format === 'wav' ? 'pcm' : job.format;
    const parts: Buffer[] = [];
    const words: WordTiming[] = [];
    for await (const event of this.synthesis.renderEvents(job, signal, format)) {
      switch (event.type) {
        case 'audio':
          parts.push(event.data);
          break;
        case 'words':
          words.push(...event.words);
          break;
        case 'mark':
          break;
      }
    }
    let audio = Buffer.concat(parts);
    if (job.format === 'wav') {
      const header = wavHeader({
        sampleRate: job.sampleRate,
        channels: 1,
        bitsPerSample: 16,
        dataBytes: audio.length,
      });
      audio = Buffer.concat([header, audio]);
    }
    return {
      job,
      audio,
      contentType: this.synthesis.contentType(job),
      words,
      durationMs: Math.round(((job.samplesOut ?? 0) * 1000) / job.sampleRate),
    };
  }
}
