import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AudioFormat } from '@cw/audio';
import type { Tenant } from '../tenants/tenant.entity';
import { SpeechScheduler } from '../scheduling/speech-scheduler';
import { VoicesService } from '../voices/voices.service';
import { SynthesisService } from './synthesis.service';

/** Spoken once per built-in voice and output rate before the process says it is ready. */
const WARM_UP_TEXT =
  'Hello, thank you for calling Ikeja branch. It is 10:30 AM, and N2,500 is due.';
/** The outputs callers use most: telephony, wideband, the engine's own rate. */
const WARM_UP_OUTPUTS: { format: AudioFormat; sampleRate?: number }[] = [
  { format: 'mulaw' },
  { format: 'pcm', sampleRate: 16000 },
  { format: 'pcm' },
];
/**
 * Each voice and output is rendered this many times in turn: the first renders of a fresh worker
 * run slower code than later ones, and one round left the first calls after boot measurably
 * slower (7 fresh boots each, alternating, 10 simultaneous calls: first byte p95 median 246 ms
 * after one round, 163 ms after four; about 2 s more before ready).
 */
const WARM_UP_ROUNDS = 4;
/** Database connections opened before traffic (the pool's size). */
const WARM_CONNECTIONS = 10;
/**
 * Run on every pooled connection at once: each PostgreSQL backend reads the catalog of a table
 * the first time a query names it, which made each of the first concurrent calls after boot wait
 * 25-80 ms for its key lookup. These are the tables a call reads before its first audio.
 */
const WARM_TABLES_SQL = `SELECT
  (SELECT 1 FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = '' LIMIT 1),
  (SELECT 1 FROM voices WHERE tenant_id IS NULL AND voice_id = '' LIMIT 1),
  (SELECT 1 FROM pronunciation_dictionaries WHERE tenant_id = $1 AND is_default LIMIT 1)`;
/** Owns no voices (the nil UUID), so only built-in voices resolve; no usage is recorded for it. */
const WARM_UP_TENANT = {
  id: '00000000-0000-0000-0000-000000000000',
  tenantId: 'warm-up',
} as Tenant;
/** A remote engine that does not answer must not hold the boot up for long. */
const WARM_UP_TIMEOUT_MS = 10_000;

/**
 * Warm before ready: before the app listens, every built-in voice is rendered at each common
 * output rate through the whole path (scheduler, every engine worker, its resampler, the
 * encoders), and the database pool opens its connections, so the first calls after boot are as
 * fast as the rest. The engine has already loaded every built-in voice in every worker by then.
 */
@Injectable()
export class WarmUpService implements OnApplicationBootstrap {
  private readonly logger = new Logger('WarmUp');
  private warm = false;

  constructor(
    private readonly synthesis: SynthesisService,
    private readonly voices: VoicesService,
    private readonly scheduler: SpeechScheduler,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  get done(): boolean {
    return this.warm;
  }

  async onApplicationBootstrap(): Promise<void> {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WARM_CONNECTIONS }, () =>
        this.dataSource.query(WARM_TABLES_SQL, [WARM_UP_TENANT.id]),
      ),
    );
    const voices = await this.voices.listBuiltinVoices();
    const renders = voices.flatMap((voice) =>
      WARM_UP_OUTPUTS.map(async (output) => {
        const profile = await this.synthesis.resolveProfile(WARM_UP_TENANT, {
          voice_id: voice.voiceId,
          format: output.format,
          sample_rate: output.sampleRate,
          // Compiles the built-in lexicon's few hundred patterns now (they are kept), not in
          // the first call of every tenant that has it on.
          nigerian_lexicon: true,
        });
        const job = this.synthesis.plan(profile, WARM_UP_TEXT);
        for (let round = 0; round < WARM_UP_ROUNDS; round++) {
          await this.synthesis.renderComplete(job, AbortSignal.timeout(WARM_UP_TIMEOUT_MS));
        }
      }),
    );
    // Every render runs even when one fails; a failure is reported, and readiness stays down.
    const results = await Promise.allSettled(renders);
    this.scheduler.forgetMeasurements();
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      this.logger.error({ err: failed[0].reason }, `${failed.length} warm-up renders failed`);
      return;
    }
    this.warm = true;
    this.logger.log(
      `${renders.length} warm-up renders (${voices.length} voices) in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
