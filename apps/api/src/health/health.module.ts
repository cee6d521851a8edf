import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [EngineModule],
  controllers: [HealthController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
