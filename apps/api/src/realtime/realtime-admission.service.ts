import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { ApiKeysService } from '../auth/api-keys.service';
import { bearerToken } from '../auth/auth.guard';
import { MetricsService } from '../metrics/metrics.service';
import {
  HOUR_MS,
  MINUTE_MS,
  rateLimitExceeded,
  tenantRateLimitKey,
} from '../rate-limit/tenant-throttler.guard';
import type { Tenant } from '../tenants/tenant.entity';
import {
  type MeteredSynthesis,
  type MeterStart,
  SynthesisMeterService,
} from '../usage/synthesis-meter.service';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';

export const REALTIME_ENDPOINT = 'synthesize/ws';
/** Twilio Media Stream SIDs: MZ and 32 hex digits. */
const STREAM_SID = /^MZ[0-9a-fA-F]{32}$/;

export interface Admitted {
  tenant: Tenant;
  meter: MeteredSynthesis;
  meterStart: MeterStart;
  twilioStreamSid?: string;
}

/**
 * Everything an HTTP request goes through, applied to a WebSocket upgrade before it is
 * accepted: the API key, both rate-limit windows (the connection counts as one request), the
 * query, then quota and one concurrency slot that the session holds until it ends.
 */
@Injectable()
export class RealtimeAdmissionService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly meters: SynthesisMeterService,
    private readonly metrics: MetricsService,
  ) {}

  async admit(req: IncomingMessage, url: URL, requestId: string): Promise<Admitted> {
    const { key, tenant } = await this.apiKeys.authenticate(this.token(req, url));
    await this.countRequest(tenant);
    const twilioStreamSid = this.twilioStreamSid(url);
    const meterStart: MeterStart = {
      tenant,
      apiKeyId: key.id,
      requestId,
      endpoint: REALTIME_ENDPOINT,
      streaming: true,
      characters: 0,
    };
    const meter = await this.meters.begin(meterStart);
    return { tenant, meter, meterStart, twilioStreamSid };
  }

  /** The Authorization header; `?api_key=` only for clients that cannot set headers. */
  private token(req: IncomingMessage, url: URL): string {
    const header = req.headers.authorization;
    const fromQuery = url.searchParams.get('api_key');
    if (header === undefined && fromQuery) return fromQuery;
    return bearerToken(header);
  }

  /** The same keys, windows and limits as TenantThrottlerGuard, so HTTP and WS share a budget. */
  private async countRequest(tenant: Tenant): Promise<void> {
    const windows = [
      { name: 'default', ttl: MINUTE_MS, limit: tenant.rateLimitPerMinute },
      { name: 'hour', ttl: HOUR_MS, limit: tenant.rateLimitPerHour },
    ];
    for (const { name, ttl, limit } of windows) {
      const record = await this.storage.increment(
        tenantRateLimitKey(name, tenant.id),
        ttl,
        limit,
        ttl,
        name,
      );
      if (record.isBlocked) {
        this.metrics.reject('rate_limit', tenant.tenantId);
        throw rateLimitExceeded(limit, ttl, record.timeToBlockExpire);
      }
    }
  }

  private twilioStreamSid(url: URL): string | undefined {
    const output = url.searchParams.get('output');
    if (output === null || output === 'raw') return undefined;
    if (output !== 'twilio') {
      throw new RealtimeException(
        RealtimeErrorCode.BadRequest,
        `output must be raw or twilio, not '${output.slice(0, 40)}'`,
      );
    }
    const sid = url.searchParams.get('stream_sid');
    if (!sid || !STREAM_SID.test(sid)) {
      throw new RealtimeException(
        RealtimeErrorCode.BadRequest,
        'output=twilio needs stream_sid, the Media Stream SID (MZ followed by 32 hex digits)',
      );
    }
    return sid;
  }
}
