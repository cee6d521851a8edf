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

/**
 * Whole-file synthesis answered with a signed URL to a stored clip (for Twilio <Play>) instead
 * of the audio itself.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Clip]), SynthesisModule],
  controllers: [ClipsController],
  providers: [
    ClipsRepository,
    ClipsService,
    ClipSweeper,
    clipStorageProvider,
    clipUrlSignerProvider,
  ],
  exports: [ClipsService],
})
export class ClipsModule {}
