import {
  DynamicModule,
  Inject,
  MiddlewareConsumer,
  Module,
  NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type pino from 'pino';
import { AppConfig, ConfigModule } from '@cw/config';
import { dataSourceOptions } from '@cw/db';
import { AdminModule } from './admin/admin.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { jsonBodyParser } from './common/http/body-parsers';
import { LoggingModule, ROOT_LOGGER } from './common/logging/logging.module';
import { requestLogMiddleware } from './common/logging/request-log.middleware';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TenantThrottlerGuard } from './rate-limit/tenant-throttler.guard';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';
import { ChangeFeedModule } from './change-feed/change-feed.module';
import { CartesiaCompatModule } from './cartesia-compat/cartesia-compat.module';
import { ClipsModule } from './clips/clips.module';
import { ElevenLabsCompatModule } from './elevenlabs-compat/elevenlabs-compat.module';
import { DeepgramCompatModule } from './deepgram-compat/deepgram-compat.module';
import { OpenAiCompatModule } from './openai-compat/openai-compat.module';
import { PlaygroundModule } from './playground/playground.module';
import { RealtimeModule } from './realtime/realtime.module';
import { RootController } from './root/root.controller';
import { SynthesisModule } from './synthesis/synthesis.module';
import { TenantsModule } from './tenants/tenants.module';
import { VoicesModule } from './voices/voices.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** The database to use: DATABASE_URL, or the embedded server started before the app. */
  databaseUrl: string;
  /** Where logs go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
}

@Module({})
export class AppModule implements NestModule {
  static forRoot({ config, databaseUrl, logStream }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config.logLevel, logStream),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, config.database.timeouts),
          autoLoadEntities: true,
        }),
        LifecycleModule,
        ChangeFeedModule.forRoot(),
        RedisModule,
        MetricsModule,
        AuthModule,
        RateLimitModule,
        TenantsModule,
        AdminModule,
        HealthModule,
        VoicesModule,
        SynthesisModule,
        RealtimeModule,
        OpenAiCompatModule,
        ElevenLabsCompatModule,
        CartesiaCompatModule,
        DeepgramCompatModule,
        ClipsModule,
        PlaygroundModule,
      ],
      controllers: [RootController],
      providers: [
        // Order matters: authenticate first, then limit by the tenant found.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: TenantThrottlerGuard },
      ],
    };
  }

  constructor(@Inject(ROOT_LOGGER) private readonly logger: pino.Logger) {}

  /**
   * The request log first, then JSON parsing, on every route: a body refused as malformed or too
   * large (answered by the parser, never reaching a route) still gets its one request log line.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(requestLogMiddleware(this.logger), jsonBodyParser())
      .forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
