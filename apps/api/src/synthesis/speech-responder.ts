import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthenticatedKey } from '../auth/auth.decorators';
import type { Tenant } from '../tenants/tenant.entity';
import type { MeteredSynthesis } from '../usage/synthesis-meter.service';
import { JobMeteringService } from './job-metering.service';
import { abortOnDisconnect, streamAudio } from './audio-response';
import type { SynthesizeDto } from './dto/synthesize.dto';
import { type SynthesisJob, SynthesisService } from './synthesis.service';
import { requestIdOf } from '../common/http/request-id';

/**
 * Turns a validated request into an HTTP audio response: caller mistakes are found first (no
 * slot, no usage row), then quota and concurrency admit it, then audio is sent and metered, and
 * the usage event records what was really delivered.
 */
@Injectable()
export class SpeechResponder {
  constructor(
    private readonly synthesis: SynthesisService,
    private readonly metering: JobMeteringService,
  ) {}

  async stream(
    tenant: Tenant,
    key: AuthenticatedKey,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
    /** The route as recorded in usage events. */
    endpoint = 'synthesize/streaming',
  ): Promise<void> {
    const job = await this.synthesis.prepare(tenant, dto);
    const meter = await this.admit(job, key, req, endpoint, true);
    const abort = abortOnDisconnect(req, res);
    try {
      const chunks = meter.count(this.synthesis.render(job, abort.signal));
      const outcome = await streamAudio(res, chunks, () => this.headers(job, true), abort.signal);
      this.metering.finish(
        meter,
        job,
        outcome.status,
        outcome.status === 'failed' ? outcome.error : undefined,
      );
    } catch (err) {
      this.metering.finish(meter, job, abort.signal.aborted ? 'cancelled' : 'failed', err);
      throw err;
    }
  }

  async whole(
    tenant: Tenant,
    key: AuthenticatedKey,
    dto: SynthesizeDto,
    req: Request,
    res: Response,
  ): Promise<void> {
    const job = await this.synthesis.prepare(tenant, dto);
    const meter = await this.admit(job, key, req, 'synthesize', false);
    const abort = abortOnDisconnect(req, res);
    try {
      const { audio, durationMs } = await this.synthesis.renderComplete(job, abort.signal);
      res.status(200).set(this.headers(job, false));
      res.setHeader('Content-Length', String(audio.length));
      res.setHeader('X-Audio-Duration-Ms', String(durationMs));
      await new Promise<void>((resolve) => res.end(audio, resolve));
      meter.sent(audio.length);
      this.metering.finish(meter, job, 'completed');
    } catch (err) {
      this.metering.finish(meter, job, abort.signal.aborted ? 'cancelled' : 'failed', err);
      throw err;
    }
  }

  private admit(
    job: SynthesisJob,
    key: AuthenticatedKey,
    req: Request,
    endpoint: string,
    streaming: boolean,
  ): Promise<MeteredSynthesis> {
    const caller = { apiKeyId: key.id, requestId: requestIdOf(req) };
    return this.metering.admit(job, caller, endpoint, streaming, this.synthesis.engineId);
  }

  private headers(job: SynthesisJob, streaming: boolean): Record<string, string> {
    return {
      'Content-Type': this.synthesis.contentType(job),
      'Cache-Control': 'no-store',
      'X-Voice-ID': job.voice.voiceId,
      'X-Tenant-ID': job.tenant.tenantId,
      'X-TTS-Method': job.engineUsed ?? this.synthesis.engineId,
      'X-Audio-Sample-Rate': String(job.sampleRate),
      ...(streaming ? { 'X-Streaming': 'true' } : {}),
    };
  }
}
