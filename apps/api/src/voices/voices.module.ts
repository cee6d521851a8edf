import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Voice } from './voice.entity';
import { VoicesRepository } from './voices.repository';
import { VoicesService } from './voices.service';

@Module({
  imports: [TypeOrmModule.forFeature([Voice])],
  providers: [VoicesRepository, VoicesService],
  exports: [VoicesService],
})
export class VoicesModule {}
