import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SynthesisModule } from '../synthesis/synthesis.module';
import { UsageModule } from '../usage/usage.module';
import { RealtimeAdmissionService } from './realtime-admission.service';
import { RealtimeGateway } from './realtime.gateway';
import { UpgradeRouter } from './upgrade-router';

/** Streaming synthesis over WebSocket (`/v1/synthesize/ws`), text in, audio out. */
@Module({
  imports: [AuthModule, SynthesisModule, UsageModule],
  providers: [RealtimeAdmissionService, RealtimeGateway, UpgradeRouter],
  // For every other WebSocket surface (vendor-compatible protocols): one upgrade listener, one
  // admission path.
  exports: [RealtimeAdmissionService, UpgradeRouter, RealtimeGateway],
})
export class RealtimeModule {}
