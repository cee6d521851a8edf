import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { S3VoiceStorage } from '../voices/storage/s3-voice-storage';
import { CLIP_STORAGE, type ClipStorage } from './clip-storage';
import { ClipsRepository } from './clips.repository';

const BATCH = 100;

/**
 * Deletes clips whose time is up, files first and then rows, so a file that could not be deleted
 * keeps its row and is retried at the next sweep. Runs once at boot and every
 * CLIP_SWEEP_INTERVAL_S; replicas may sweep at the same time (both deletes are idempotent).
 */
@Injectable()
export class ClipSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ClipSweeper');
  private timer?: NodeJS.Timeout;
  /** Sweeps run one after another; `queued` lets the timer skip a tick while one is running. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly clips: ClipsRepository,
    @Inject(CLIP_STORAGE) private readonly storage: ClipStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.clips.sweepIntervalS * 1000);
    // Never the reason the process stays alive.
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.tail;
    // The storage client is this module's own (see clip-storage.ts).
    if (this.storage instanceof S3VoiceStorage) this.storage.destroy();
  }

  /** Deletes every clip expired at `now` (default: when the sweep starts); resolves to the count. */
  sweep(now?: Date): Promise<number> {
    this.queued++;
    const run = this.tail.then(() => this.sweepExpired(now ?? new Date()));
    this.tail = run
      .catch(() => undefined)
      .finally(() => {
        this.queued--;
      });
    return run;
  }

  private tick(): void {
    if (this.queued > 0) return;
    this.sweep().catch((err: unknown) => {
      this.logger.warn({ err }, 'clip sweep failed; retrying at the next interval');
    });
  }

  private async sweepExpired(now: Date): Promise<number> {
    let deleted = 0;
    for (;;) {
      const expired = await this.clips.findExpiredClips(now, BATCH);
      if (expired.length === 0) break;
      const results = await Promise.allSettled(
        expired.map((clip) => this.storage.delete(clip.storageKey)),
      );
      const gone: string[] = [];
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') gone.push(expired[i].id);
        else
          this.logger.warn(
            { err: result.reason as unknown, clip_id: expired[i].id },
            'could not delete an expired clip file; it stays until the next sweep',
          );
      }
      await this.clips.deleteClips(gone);
      deleted += gone.length;
      // A failed delete would be selected again: stop rather than loop on it.
      if (gone.length < expired.length || expired.length < BATCH) break;
    }
    if (deleted > 0) this.logger.log({ deleted }, 'expired clips deleted');
    return deleted;
  }
}
