import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { UsageModule } from '../usage/usage.module';
import { RealtimeAdmissionService } from './realtime-admission.service';
import { RealtimeGateway } from './realtime.gateway';

/** Streaming synthesis over WebSocket (`/v1/synthesize/ws`), text in, audio out. */
@Module({
  imports: [AuthModule, SynthesisModule, UsageModule],
  providers: [RealtimeAdmissionService, RealtimeGateway],
})
export class RealtimeModule {}
