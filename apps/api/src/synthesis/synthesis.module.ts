import { Module } from '@nestjs/common';
import { AudioEncoders } from './audio-encoders';
import { EngineModule } from '../engine/engine.module';
import { PhraseCacheModule } from '../phrase-cache/phrase-cache.module';
import { PronunciationModule } from '../pronunciation/pronunciation.module';
import { UsageModule } from '../usage/usage.module';
import { VoicesModule } from '../voices/voices.module';
import { SpeechResponder } from './speech-responder';
import { SpeechInfoController } from './speech-info.controller';
import { SpeechInfoService } from './speech-info.service';
import { SynthesisController } from './synthesis.controller';
import { SynthesisService } from './synthesis.service';
import { SynthesisRunner } from './synthesis-runner';
import { TimestampsController } from './timestamps.controller';
import { WarmUpService } from './warm-up.service';
import { SchedulingModule } from '../scheduling/scheduling.module';

@Module({
  imports: [
    EngineModule,
    SchedulingModule,
    VoicesModule,
    UsageModule,
    PronunciationModule,
    PhraseCacheModule,
  ],
  controllers: [SynthesisController, SpeechInfoController, TimestampsController],
  providers: [
    AudioEncoders,
    SynthesisService,
    SpeechInfoService,
    SpeechResponder,
    SynthesisRunner,
    WarmUpService,
  ],
  exports: [SynthesisService, SpeechResponder, SynthesisRunner, WarmUpService],
})
export class SynthesisModule {}
