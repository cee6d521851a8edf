import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { VoicesModule } from '../voices/voices.module';
import { SpeechInfoController } from './speech-info.controller';
import { SpeechInfoService } from './speech-info.service';
import { SynthesisController } from './synthesis.controller';
import { SynthesisService } from './synthesis.service';

@Module({
  imports: [EngineModule, VoicesModule],
  controllers: [SynthesisController, SpeechInfoController],
  providers: [SynthesisService, SpeechInfoService],
  exports: [SynthesisService],
})
export class SynthesisModule {}
