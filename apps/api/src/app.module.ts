import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigModule } from '@cw/config';
import { dataSourceOptions } from '@cw/db';
import { AdminModule } from './admin/admin.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { loggerOptions } from './common/logging/logger.options';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TenantThrottlerGuard } from './rate-limit/tenant-throttler.guard';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';
import { ClipsModule } from './clips/clips.module';
import { ElevenLabsCompatModule } from './elevenlabs-compat/elevenlabs-compat.module';
import { OpenAiCompatModule } from './openai-compat/openai-compat.module';
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
export class AppModule {
  static forRoot({ config, databaseUrl, logStream }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config.logLevel, logStream)),
        TypeOrmModule.forRoot({ ...dataSourceOptions(databaseUrl), autoLoadEntities: true }),
        LifecycleModule,
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
        ClipsModule,
      ],
      controllers: [RootController],
      providers: [
        // Order matters: authenticate first, then limit by the tenant found.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: TenantThrottlerGuard },
      ],
    };
  }
}
