import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EngineModule } from '../engine/engine.module';
import { ReferenceAnalyzer } from './analysis/reference-analyzer';
import { voiceStorageProvider } from './storage/voice-storage.provider';
import { Voice } from './voice.entity';
import { VoicesController } from './voices.controller';
import { VoicesRepository } from './voices.repository';
import { VoicesService } from './voices.service';

@Module({
  imports: [TypeOrmModule.forFeature([Voice]), EngineModule],
  controllers: [VoicesController],
  providers: [VoicesRepository, VoicesService, ReferenceAnalyzer, voiceStorageProvider],
  exports: [VoicesService],
})
export class VoicesModule {}
