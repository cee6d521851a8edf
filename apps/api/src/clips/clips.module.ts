import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { Clip } from './clip.entity';
import { clipStorageProvider } from './clip-storage';
import { ClipSweeper } from './clip-sweeper.service';
import { clipUrlSignerProvider } from './clip-url-signer.provider';
import { ClipsController } from './clips.controller';
import { ClipsRepository } from './clips.repository';
import { ClipsService } from './clips.service';
import { TimestampsController } from './timestamps.controller';
import { WholeSpeechService } from './whole-speech.service';

/**
 * Whole-file synthesis answered other than as an audio stream: signed URLs to stored clips
 * (for Twilio <Play>) and audio with word timings.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Clip]), SynthesisModule],
  controllers: [ClipsController, TimestampsController],
  providers: [
    ClipsRepository,
    ClipsService,
    ClipSweeper,
    WholeSpeechService,
    clipStorageProvider,
    clipUrlSignerProvider,
  ],
  exports: [ClipsService],
})
export class ClipsModule {}
