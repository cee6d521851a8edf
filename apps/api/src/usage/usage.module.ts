import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SynthesisMeterService } from './synthesis-meter.service';
import { StreamSlotsService } from './stream-slots.service';
import { UsageEvent } from './usage-event.entity';
import { UsageController } from './usage.controller';
import { UsageRecorder } from './usage.recorder';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Module({
  imports: [TypeOrmModule.forFeature([UsageEvent])],
  controllers: [UsageController],
  providers: [
    UsageRepository,
    UsageRecorder,
    UsageService,
    StreamSlotsService,
    SynthesisMeterService,
  ],
  exports: [UsageService, SynthesisMeterService, UsageRecorder],
})
export class UsageModule {}
