import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { VoicesModule } from '../voices/voices.module';
import { SynthesisMeterService } from './synthesis-meter.service';
import { StreamSlotsService } from './stream-slots.service';
import { TenantStatsController } from './tenant-stats.controller';
import { TenantStatsService } from './tenant-stats.service';
import { UsageEvent } from './usage-event.entity';
import { UsageController } from './usage.controller';
import { UsageRecorder } from './usage.recorder';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Module({
  imports: [TypeOrmModule.forFeature([UsageEvent]), VoicesModule],
  controllers: [UsageController, TenantStatsController],
  providers: [
    UsageRepository,
    UsageRecorder,
    UsageService,
    StreamSlotsService,
    SynthesisMeterService,
    TenantStatsService,
  ],
  exports: [UsageService, SynthesisMeterService, UsageRecorder],
})
export class UsageModule {}
