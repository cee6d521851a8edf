import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { UsageModule } from '../usage/usage.module';
import { VoicesModule } from '../voices/voices.module';
import { ElevenLabsCatalogController } from './elevenlabs-catalog.controller';
import { ElevenLabsCatalogService } from './elevenlabs-catalog.service';
import { ElevenLabsSpeechResponder } from './elevenlabs-speech.responder';
import { ElevenLabsTtsController } from './elevenlabs-tts.controller';
import { ElevenLabsGateway } from './elevenlabs.gateway';

/**
 * ElevenLabs-compatible routes under /elevenlabs (HTTP and WebSocket), served by the same
 * synthesis, metering and limits as our own.
 */
@Module({
  imports: [SynthesisModule, RealtimeModule, VoicesModule, UsageModule, EngineModule],
  controllers: [ElevenLabsTtsController, ElevenLabsCatalogController],
  providers: [ElevenLabsSpeechResponder, ElevenLabsCatalogService, ElevenLabsGateway],
})
export class ElevenLabsCompatModule {}
