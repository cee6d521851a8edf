import { Module } from '@nestjs/common';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { OpenAiSpeechController } from './openai-speech.controller';

/** OpenAI-compatible routes, served by the same synthesis, metering and limits as our own. */
@Module({
  imports: [SynthesisModule],
  controllers: [OpenAiSpeechController],
})
export class OpenAiCompatModule {}
