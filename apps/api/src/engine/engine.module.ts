import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@cw/config';
import { createEngine, TTS_ENGINE, TtsEngine } from '@cw/engines';

/**
 * The configured speech engine behind the TTS_ENGINE token. An unknown TTS_ENGINE fails here, at
 * boot, with the list of known engines. Voices are warmed before the app starts listening.
 */
@Module({
  providers: [
    {
      provide: TTS_ENGINE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): TtsEngine =>
        createEngine(config.engine.name, {
          espeak: { poolSize: config.engine.poolSize, maxQueue: config.engine.maxQueue },
          xtts: config.xtts.url
            ? { url: config.xtts.url, timeoutMs: config.xtts.timeoutMs }
            : undefined,
          fallback: config.xtts.fallback,
          festival: {
            binary: config.festival.binary,
            poolSize: config.festival.poolSize,
            voice: config.festival.voice,
            timeoutMs: config.festival.timeoutMs,
            maxQueue: config.engine.maxQueue,
          },
        }),
    },
  ],
  exports: [TTS_ENGINE],
})
export class EngineModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EngineModule.name);

  constructor(@Inject(TTS_ENGINE) private readonly engine: TtsEngine) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.engine.init();
    // An optional engine (festival without its package) boots unavailable instead of failing.
    if (!this.engine.health().modelLoaded) {
      this.logger.warn(
        `engine ${this.engine.id} is not available (syntheses answer 503 engine_unavailable): ${this.engine.health().systemTts}`,
      );
      return;
    }
    this.logger.log(
      `engine ${this.engine.id} ready in ${Date.now() - started} ms (${this.engine.health().systemTts})`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.close();
  }
}
