import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { DeepgramSpeakController } from './deepgram-speak.controller';
import { DeepgramSpeakGateway } from './deepgram-speak.gateway';
import { DeepgramSpeaker } from './deepgram-speaker';

/** Deepgram-compatible TTS (`/v1/speak`, REST and WebSocket), on our synthesis and limits. */
@Module({
  imports: [SynthesisModule, RealtimeModule],
  controllers: [DeepgramSpeakController],
  providers: [DeepgramSpeaker, DeepgramSpeakGateway],
})
export class DeepgramCompatModule {}
