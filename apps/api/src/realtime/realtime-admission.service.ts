import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { ApiKeysService } from '../auth/api-keys.service';
import { hashApiKey } from '../auth/api-key.util';
import { bearerToken } from '../auth/auth.guard';
import { clientAddress } from '../common/http/client-address';
import { compileTrustProxy, type TrustProxy } from '../common/http/trust-proxy';
import { MetricsService } from '../metrics/metrics.service';
import { rateLimitExceeded } from '../rate-limit/tenant-throttler.guard';
import { countTenantRequest } from '../rate-limit/tenant-windows';
import type { RequestContext } from '../common/request-context/request-context';
import { type SynthesisRun, SynthesisRunner } from '../synthesis/synthesis-runner';
import type { Tenant } from '../tenants/tenant.entity';
import { UsageService } from '../usage/usage.service';
import type { RealtimeOutput } from './audio-sink';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';
import { MAX_MEDIA_MS, TWILIO_FRAME_MS } from './twilio-framer';
import { echo } from '../common/errors/echo';

export const REALTIME_ENDPOINT = 'synthesize/ws';
/**
 * Browsers cannot set headers on a WebSocket. They offer `callwaiting.v1` and `bearer.<key>`
 * as subprotocols instead (the key stays out of the URL, and so out of every proxy's logs); the
 * server answers with `callwaiting.v1` alone, never echoing the key.
 */
export const REALTIME_SUBPROTOCOL = 'callwaiting.v1';
const BEARER_SUBPROTOCOL = 'bearer.';

/** The key offered as a `bearer.<key>` subprotocol beside `callwaiting.v1`, if any. */
export function keyFromSubprotocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const offered = header.split(',').map((p) => p.trim());
  if (!offered.includes(REALTIME_SUBPROTOCOL)) return undefined;
  const bearer = offered.find((p) => p.startsWith(BEARER_SUBPROTOCOL));
  return bearer?.slice(BEARER_SUBPROTOCOL.length) || undefined;
}
/** Twilio Media Stream SIDs: MZ and 32 hex digits. */
const STREAM_SID = /^MZ[0-9a-fA-F]{32}$/;

/** A WebSocket session of any surface, admitted before its handshake. */
export interface AdmittedSession {
  ctx: RequestContext;
  /** Holds the session's concurrency slot; finished when the session ends. */
  run: SynthesisRun;
  /** Hash of the session's key, to recheck it while the session is open. */
  keyHash: string;
}

/** A session of our own WebSocket route, with the output its query chose. */
export interface Admitted extends AdmittedSession {
  output: RealtimeOutput;
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
    private readonly runner: SynthesisRunner,
    private readonly metrics: MetricsService,
    private readonly usage: UsageService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trustProxy = compileTrustProxy(config.auth.trustProxy);
  }

  private readonly trustProxy: TrustProxy;

  async admit(req: IncomingMessage, url: URL, requestId: string): Promise<Admitted> {
    const token = this.token(req, url);
    // The query is checked before quota and slot, so a bad one costs the tenant nothing.
    let output: RealtimeOutput = { kind: 'raw' };
    const session = await this.admitSession(req, token, REALTIME_ENDPOINT, requestId, () => {
      output = this.output(url);
    });
    return { ...session, output };
  }

  /**
   * For any WebSocket surface (ours or a vendor-compatible one): the key (failed attempts counted
   * per client address), one request against both rate-limit windows, `validate` (the surface's
   * own query checks, which may load the tenant's voice), then quota, one concurrency slot and
   * one real-time stream of the scheduler, held until the run finishes.
   */
  async admitSession(
    req: IncomingMessage,
    token: string,
    endpoint: string,
    requestId: string,
    validate: (tenant: Tenant) => unknown = () => undefined,
  ): Promise<AdmittedSession> {
    const { key, tenant } = await this.apiKeys.authenticate(
      token,
      clientAddress(req, this.trustProxy),
    );
    await this.countRequest(tenant);
    await validate(tenant);
    const ctx: RequestContext = { tenant, apiKeyId: key.id, requestId };
    const run = await this.runner.admit(ctx, { endpoint, streaming: true });
    try {
      // The session is one real-time stream for the scheduler: refused here, before the
      // upgrade, when the engine already serves all it can keep up with.
      run.openSessionStream(tenant.tenantId);
    } catch (err) {
      run.finish('failed', err);
      throw err;
    }
    return { ctx, run, keyHash: hashApiKey(token) };
  }

  /**
   * What admitted open sessions must still hold: the key unrevoked and unexpired, the tenant
   * active, the tenant's quota (counting the audio its open sessions have sent) not used up.
   * Returns, for each session that fails, why. One key lookup per key and one quota query per
   * tenant, however many sessions share them.
   */
  async recheck<T extends AdmittedSession>(open: readonly T[]): Promise<Map<T, unknown>> {
    const refused = new Map<T, unknown>();
    const byTenant = new Map<string, { tenant: Tenant; sessions: T[] }>();
    for (const [keyHash, sessions] of groupBy(open, (a) => a.keyHash)) {
      try {
        const { tenant } = await this.apiKeys.recheck(keyHash);
        const group = byTenant.get(tenant.id) ?? { tenant, sessions: [] };
        group.sessions.push(...sessions);
        byTenant.set(tenant.id, group);
      } catch (err) {
        for (const session of sessions) refused.set(session, err);
      }
    }
    for (const { tenant, sessions } of byTenant.values()) {
      const inFlightMs = sessions.reduce((ms, session) => ms + session.run.audioMs, 0);
      try {
        await this.usage.assertQuota(tenant, inFlightMs);
      } catch (err) {
        for (const session of sessions) refused.set(session, err);
      }
    }
    return refused;
  }

  /** The Authorization header; `?api_key=` only for clients that cannot set headers. */
  private token(req: IncomingMessage, url: URL): string {
    const header = req.headers.authorization;
    if (header !== undefined) return bearerToken(header);
    const fromProtocol = keyFromSubprotocols(req.headers['sec-websocket-protocol']);
    if (fromProtocol) return fromProtocol;
    const fromQuery = url.searchParams.get('api_key');
    if (fromQuery) return fromQuery;
    return bearerToken(header);
  }

  /** The same keys, windows and limits as TenantThrottlerGuard, so HTTP and WS share a budget. */
  private async countRequest(tenant: Tenant): Promise<void> {
    const over = await countTenantRequest(this.storage, tenant);
    if (!over) return;
    this.metrics.reject('rate_limit', tenant.tenantId);
    throw rateLimitExceeded(over.limit, over.ttlMs, over.blockedForS);
  }

  private output(url: URL): RealtimeOutput {
    const output = url.searchParams.get('output');
    if (output === null || output === 'raw') return { kind: 'raw' };
    if (output !== 'twilio') {
      throw new RealtimeException(
        RealtimeErrorCode.BadRequest,
        `output must be raw or twilio, not '${echo(output)}'`,
      );
    }
    const sid = url.searchParams.get('stream_sid');
    if (!sid || !STREAM_SID.test(sid)) {
      throw new RealtimeException(
        RealtimeErrorCode.BadRequest,
        'output=twilio needs stream_sid, the Media Stream SID (MZ followed by 32 hex digits)',
      );
    }
    return { kind: 'twilio', streamSid: sid, mediaMs: mediaMs(url.searchParams.get('media_ms')) };
  }
}

/**
 * `media_ms`: the most audio one Twilio `media` message carries, in whole 20 ms frames (20: every
 * message exactly one frame). Absent: undefined, the framer's default (MAX_MEDIA_MS).
 */
function mediaMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(ms >= TWILIO_FRAME_MS && ms <= MAX_MEDIA_MS && ms % TWILIO_FRAME_MS === 0)) {
    throw new RealtimeException(
      RealtimeErrorCode.BadRequest,
      `media_ms must be a multiple of ${TWILIO_FRAME_MS} from ${TWILIO_FRAME_MS} to ${MAX_MEDIA_MS}, not '${echo(value)}'`,
    );
  }
  return ms;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}
