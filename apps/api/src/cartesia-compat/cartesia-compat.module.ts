import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { jsonBodyParser } from '../common/http/body-parsers';
import { RealtimeModule } from '../realtime/realtime.module';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { VoicesModule } from '../voices/voices.module';
import { CartesiaGateway } from './cartesia.gateway';
import { CartesiaTtsController } from './cartesia-tts.controller';
import { CartesiaVoicesController } from './cartesia-voices.controller';

/**
 * Cartesia-compatible routes at the root (`/tts/bytes`, `/tts/sse`, `/tts/websocket`,
 * `/voices`), served by the same synthesis, metering and limits as our own.
 */
@Module({
  imports: [SynthesisModule, RealtimeModule, VoicesModule],
  controllers: [CartesiaTtsController, CartesiaVoicesController],
  providers: [CartesiaGateway],
})
export class CartesiaCompatModule implements NestModule {
  /** LiveKit's plugin posts the one-shot routes with a JSON body and no Content-Type. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(jsonBodyParser({ untyped: true }))
      .forRoutes(
        { path: 'tts/bytes', method: RequestMethod.POST },
        { path: 'tts/sse', method: RequestMethod.POST },
      );
  }
}
