import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AudioWorkerPool, type ReferenceAnalysis } from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';

/** Decodes and measures uploads in worker threads (a 10 MB MP3 is seconds of CPU). */
@Injectable()
export class ReferenceAnalyzer implements OnApplicationShutdown {
  private readonly pool: AudioWorkerPool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new AudioWorkerPool({ maxThreads: 1, maxQueue: config.uploads.decodeQueue });
  }

  /** Files longer than `maxDurationMs` are refused while decoding, before the whole file is read. */
  analyze(bytes: Uint8Array, maxDurationMs: number): Promise<ReferenceAnalysis> {
    return this.pool.analyzeReference(bytes, { maxDurationMs });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
