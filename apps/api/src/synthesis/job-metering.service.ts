import { Injectable } from '@nestjs/common';
import { mapError } from '../common/errors/map-error';
import { type MeteredSynthesis, SynthesisMeterService } from '../usage/synthesis-meter.service';
import type { UsageStatus } from '../usage/usage-event.entity';
import type { SynthesisJob } from './synthesis.service';

export interface JobCaller {
  apiKeyId: string | null;
  requestId: string;
}

/**
 * Quota, concurrency and the usage event for one prepared job, shared by every route that
 * synthesizes over HTTP. Call `admit` after `prepare` (caller mistakes take no slot and write no
 * row) and `finish` exactly once.
 */
@Injectable()
export class JobMeteringService {
  constructor(private readonly meters: SynthesisMeterService) {}

  async admit(
    job: SynthesisJob,
    caller: JobCaller,
    endpoint: string,
    streaming: boolean,
    engineId: string,
  ): Promise<MeteredSynthesis> {
    const meter = await this.meters.begin({
      tenant: job.tenant,
      apiKeyId: caller.apiKeyId,
      requestId: caller.requestId,
      endpoint,
      streaming,
      characters: job.characters,
    });
    meter.voiceId = job.voice.voiceId;
    meter.engine = engineId;
    meter.format = job.format;
    meter.sampleRate = job.sampleRate;
    return meter;
  }

  /** Records the outcome; the engine is the one that really spoke (a fallback, perhaps). */
  finish(meter: MeteredSynthesis, job: SynthesisJob, status: UsageStatus, error?: unknown): void {
    meter.engine = job.engineUsed ?? meter.engine;
    meter.finish(status, error === undefined ? null : mapError(error).code);
  }
}
