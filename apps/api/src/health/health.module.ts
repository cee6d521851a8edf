import { SynthesisModule } from '../synthesis/synthesis.module';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EngineModule } from '../engine/engine.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { ReadinessIndicators } from './readiness.service';

@Module({
  imports: [EngineModule, SynthesisModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthService, ReadinessIndicators],
  exports: [HealthService],
})
export class HealthModule {}
