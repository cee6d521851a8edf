import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EngineError } from '@cw/engines';
import type { AuthenticatedKey } from '../auth/auth.decorators';
import { DomainException } from '../common/errors/domain.exception';
import type { Tenant } from '../tenants/tenant.entity';
import { SynthesisMeterService, type MeteredSynthesis } from '../usage/synthesis-meter.service';
import type { UsageStatus } from '../usage/usage-event.entity';
import { abortOnDisconnect, streamAudio } from './audio-response';
import type { SynthesizeDto } from './dto/synthesize.dto';
import { type SynthesisJob, SynthesisService } from './synthesis.service';

function errorCode(err: unknown): string {
  if (err instanceof DomainException || err instanceof EngineError) return err.code;
  return 'internal_error';
}

/**
 * Turns a validated request into an HTTP audio response: caller mistakes are found first (no
 * slot, no usage row), then quota and concurrency admit it, then audio is sent and metered, and
 * the usage event records what was really delivered.
 */
@Injectable()
export class SpeechResponder {
  constructor(
    private readonly synthesis: SynthesisService,
    private readonly meters: SynthesisMeterService,
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
      this.finish(
        meter,
        job,
        outcome.status,
        outcome.status === 'failed' ? errorCode(outcome.error) : null,
      );
    } catch (err) {
      this.finish(meter, job, abort.signal.aborted ? 'cancelled' : 'failed', errorCode(err));
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
      const audio = await this.synthesis.renderComplete(job, abort.signal);
      res.status(200).set(this.headers(job, false));
      res.setHeader('Content-Length', String(audio.length));
      res.setHeader(
        'X-Audio-Duration-Ms',
        String(Math.round(((job.samplesOut ?? 0) * 1000) / job.sampleRate)),
      );
      await new Promise<void>((resolve) => res.end(audio, resolve));
      meter.sent(audio.length);
      this.finish(meter, job, 'completed', null);
    } catch (err) {
      this.finish(meter, job, abort.signal.aborted ? 'cancelled' : 'failed', errorCode(err));
      throw err;
    }
  }

  private finish(
    meter: MeteredSynthesis,
    job: SynthesisJob,
    status: UsageStatus,
    code: string | null,
  ): void {
    meter.engine = job.engineUsed ?? meter.engine;
    meter.finish(status, code);
  }

  private async admit(
    job: SynthesisJob,
    key: AuthenticatedKey,
    req: Request,
    endpoint: string,
    streaming: boolean,
  ) {
    const meter: MeteredSynthesis = await this.meters.begin({
      tenant: job.tenant,
      apiKeyId: key.id,
      requestId: (req as { id?: string }).id ?? '',
      endpoint,
      streaming,
      characters: job.characters,
    });
    meter.voiceId = job.voice.voiceId;
    meter.engine = this.synthesis.engineId;
    meter.format = job.format;
    meter.sampleRate = job.sampleRate;
    return meter;
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
