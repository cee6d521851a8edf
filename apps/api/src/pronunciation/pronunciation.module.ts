import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PronunciationController } from './pronunciation.controller';
import { PronunciationDictionary } from './pronunciation-dictionary.entity';
import { PronunciationDictionaryVersion } from './pronunciation-dictionary-version.entity';
import { PronunciationRepository } from './pronunciation.repository';
import { PronunciationService } from './pronunciation.service';

@Module({
  imports: [TypeOrmModule.forFeature([PronunciationDictionary, PronunciationDictionaryVersion])],
  controllers: [PronunciationController],
  providers: [PronunciationRepository, PronunciationService],
  exports: [PronunciationService],
})
export class PronunciationModule {}
