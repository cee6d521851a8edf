import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type AudioEncoder, type AudioEncoderOptions, AudioEncoderPool } from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';

/**
 * The encoders synthesis streams feed: MP3 (and resampling) in AUDIO_ENCODER_THREADS worker
 * threads, each stream's encoder in one thread for its whole life; cheap formats inline. The
 * threads are started with the app, so the first MP3 stream does not wait for one.
 */
@Injectable()
export class AudioEncoders implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AudioEncoders.name);
  private readonly pool: AudioEncoderPool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new AudioEncoderPool({
      threads: config.audio.encoderThreads,
      niceIncrement: config.workerNice,
    });
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.pool.start();
    this.logger.log(
      `${this.pool.load.length} audio encoder thread(s) ready in ${Date.now() - started} ms`,
    );
  }

  create(options: AudioEncoderOptions): Promise<AudioEncoder> {
    return this.pool.createEncoder(options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
