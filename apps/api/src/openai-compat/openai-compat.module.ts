import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { VoicesModule } from '../voices/voices.module';
import { OpenAiSseResponder } from './openai-sse';
import { OpenAiSpeechController } from './openai-speech.controller';
import { OpenAiVoiceMapping } from './openai-voice-mapping.entity';
import { OpenAiVoiceMappingsRepository } from './openai-voice-mappings.repository';
import { OpenAiVoicesController } from './openai-voices.controller';
import { OpenAiVoicesService } from './openai-voices.service';

/** OpenAI-compatible routes, served by the same synthesis, metering and limits as our own. */
@Module({
  imports: [TypeOrmModule.forFeature([OpenAiVoiceMapping]), SynthesisModule, VoicesModule],
  controllers: [OpenAiSpeechController, OpenAiVoicesController],
  providers: [OpenAiSseResponder, OpenAiVoiceMappingsRepository, OpenAiVoicesService],
})
export class OpenAiCompatModule {}
