import { Injectable } from '@nestjs/common';
import type { AuthenticatedKey } from '../auth/auth.decorators';
import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import { JobMeteringService } from '../synthesis/job-metering.service';
import {
  type CompleteSpeech,
  type SynthesisJob,
  SynthesisService,
} from '../synthesis/synthesis.service';
import type { Tenant } from '../tenants/tenant.entity';

export interface Caller {
  tenant: Tenant;
  key: AuthenticatedKey;
  requestId: string;
}

/** One whole rendering: the complete file (WAV with its real sizes) and the word timings. */
export interface WholeSpeech extends CompleteSpeech {
  job: SynthesisJob;
  contentType: string;
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
    private readonly metering: JobMeteringService,
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
    const meter = await this.metering.admit(
      job,
      { apiKeyId: caller.key.id, requestId: caller.requestId },
      endpoint,
      false,
      this.synthesis.engineId,
    );
    try {
      const complete = await this.synthesis.renderComplete(job, signal);
      const result = await deliver({
        ...complete,
        job,
        contentType: this.synthesis.contentType(job),
      });
      meter.sent(complete.audio.length);
      this.metering.finish(meter, job, 'completed');
      return result;
    } catch (err) {
      this.metering.finish(meter, job, signal.aborted ? 'cancelled' : 'failed', err);
      throw err;
    }
  }
}
