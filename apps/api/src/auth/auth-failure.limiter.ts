import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { REDIS } from '../redis/redis.module';
import { AuthErrorCode, AuthException } from './auth.exception';

/**
 * Counts failed authentications per client address (bad, unknown, revoked or expired keys, a wrong
 * admin key) in a fixed window. Past AUTH_FAILURE_LIMIT the address gets 429 for the rest of the
 * window, before any key lookup, so a flood of guessed keys costs no database work. Counted in
 * Redis when REDIS_URL is set, so replicas share the count (as the tenant throttler does); in memory
 * otherwise, and in memory while Redis is unreachable, so an outage never turns into 5xx.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterAbstract;
  private readonly limit: number;

  constructor(@Inject(REDIS) redis: Redis | null, @Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.auth.failureLimit;
    const options = {
      keyPrefix: 'cw:authfail',
      points: this.limit,
      duration: config.auth.failureWindowS,
    };
    const memory = new RateLimiterMemory(options);
    this.limiter = redis
      ? new RateLimiterRedis({
          ...options,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
  }

  /** Throws 429 once `address` has used up its failures for the window. */
  async assertNotBlocked(address: string): Promise<void> {
    const state = await this.limiter.get(address);
    if (state && state.consumedPoints >= this.limit) throw this.tooMany(state);
  }

  /**
   * Counts one failure of `address` and throws `failure`, or 429 when concurrent failures already
   * went over the limit.
   */
  async fail(address: string, failure: AuthException): Promise<never> {
    try {
      await this.limiter.consume(address);
    } catch (rejected) {
      if (rejected instanceof RateLimiterRes) throw this.tooMany(rejected);
      throw rejected;
    }
    throw failure;
  }

  private tooMany(state: RateLimiterRes): AuthException {
    const retryAfterS = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    return new AuthException(AuthErrorCode.TooManyFailures, undefined, retryAfterS);
  }
}
