import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@cw/config';
import { EngineRegistry, TTS_ENGINE, TtsEngine } from '@cw/engines';
import { EnginesController } from './engines.controller';
import { enginesConfigFrom } from './engines-config';

/**
 * Every configured engine in one EngineRegistry (the embedded eSpeak always, remote servers from
 * ENGINES_FILE and the environment), and behind TTS_ENGINE the default one (TTS_ENGINE): it
 * clones uploads and speaks the built-in voices not mapped elsewhere. Configuration mistakes
 * fail here, at boot; a remote engine that does not answer is logged, not fatal.
 */
@Module({
  controllers: [EnginesController],
  providers: [
    {
      provide: EngineRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): EngineRegistry =>
        new EngineRegistry(enginesConfigFrom(config), {
          defaultEngine: config.engine.name,
          espeak: {
            poolSize: config.engine.poolSize,
            maxQueue: config.engine.maxQueue,
            niceIncrement: config.workerNice,
            library: config.engine.espeakLibrary,
          },
          xtts: { timeoutMs: config.xtts.timeoutMs },
          festival: {
            binary: config.festival.binary,
            poolSize: config.festival.poolSize,
            voice: config.festival.voice,
            timeoutMs: config.festival.timeoutMs,
            maxQueue: config.engine.maxQueue,
          },
        }),
    },
    {
      provide: TTS_ENGINE,
      inject: [EngineRegistry],
      useFactory: (registry: EngineRegistry): TtsEngine => registry.defaultEngine,
    },
  ],
  exports: [TTS_ENGINE, EngineRegistry],
})
export class EngineModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EngineModule.name);

  constructor(@Inject(EngineRegistry) private readonly registry: EngineRegistry) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    // An engine that does not answer (a remote server down, festival without its package) is
    // logged and stays configured: its voices fail over, or answer 503 engine_unavailable.
    await this.registry.init((id, ok, detail) => {
      if (ok) this.logger.log(`engine ${id} ready (${detail})`);
      else
        this.logger.warn(`engine ${id} is not answering at boot; it stays configured: ${detail}`);
    });
    this.logger.log(
      `engines ${this.registry.ids().join(', ')} started in ${Date.now() - started} ms; default ${this.registry.defaultId}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }
}
