import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.token';
import type { SynthesisJob } from '../synthesis/synthesis.service';
import { type CachedSpeech, packSpeech, unpackSpeech } from './cached-speech';

/** A stream's bytes are replayed exactly as sent; a whole file also keeps its word timings. */
export type CacheKind = 'stream' | 'whole';

/** Bumped when what an entry holds, or how keys are made, changes. */
const KEY_VERSION = 1;
const REDIS_PREFIX = 'cw:phrase:';
const REDIS_INDEX = 'cw:phrase:index';
const REDIS_SIZES = 'cw:phrase:sizes';
const REDIS_TOTAL = 'cw:phrase:bytes';
/** A Redis lookup slower than this counts as a miss: the engine is faster than waiting. */
const REDIS_TIMEOUT_MS = 50;
/**
 * New entries reach the shared cache this long after the first of them is kept, all in one
 * pipeline: not in the moment a response ends, when its client's next request most often
 * arrives, and one write for every entry that finished meanwhile.
 */
export const SHARED_WRITE_DELAY_MS = 20;

/**
 * Stores an entry and, while the shared cache is over its bound, drops the least recently used
 * (the index is scored by last use). KEYS: entry, index, sizes, total. ARGV: value, now, bound.
 */
const PUT_SCRIPT = `
local old = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
redis.call('SET', KEYS[1], ARGV[1])
local size = string.len(ARGV[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
local total = redis.call('INCRBY', KEYS[4], size - old)
while total > tonumber(ARGV[3]) do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local gone = tonumber(redis.call('HGET', KEYS[3], oldest[1]) or '0')
  redis.call('DEL', oldest[1])
  redis.call('HDEL', KEYS[3], oldest[1])
  total = redis.call('INCRBY', KEYS[4], -gone)
end
return total
`;

/** PUT_SCRIPT on an ioredis pipeline. KEYS: entry, index, sizes, total; ARGV: entry, now, bound. */
interface PhrasePutPipeline extends ChainableCommander {
  cwPhrasePut(
    entryKey: string,
    indexKey: string,
    sizesKey: string,
    totalKey: string,
    packed: Buffer,
    now: number,
    maxBytes: number,
  ): PhrasePutPipeline;
}

/**
 * Audio already made, for requests that ask for exactly the same speech again (an agent's
 * "Please hold while I check that for you"): in memory on each replica (LRU, bounded in bytes)
 * and, with Redis, shared by all replicas (bounded, least recently used dropped first).
 *
 * The key is the whole plan the engine would be given — the text after normalization and
 * pronunciation dictionaries, prosody, breaks — with the tenant, the voice and its last change,
 * the engine, the output and the dictionary versions. So an entry is only ever served for the
 * same tenant (never another's audio, even for identical text), and editing a voice or a
 * dictionary makes its old entries unreachable; they then age out.
 */
@Injectable()
export class PhraseCacheService implements OnModuleDestroy {
  private readonly logger = new Logger('PhraseCache');
  private readonly memory?: LRUCache<string, CachedSpeech>;
  private readonly maxEntryBytes: number;
  private readonly redisMaxBytes: number;
  /** Entries kept here and not yet written to the shared cache (see SHARED_WRITE_DELAY_MS). */
  private readonly unshared = new Map<string, CachedSpeech>();
  private shareTimer?: NodeJS.Timeout;
  /**
   * The last write sent, so a shutdown can wait for it (Redis answers one connection's commands
   * in order: when it is answered, every earlier write is too).
   */
  private sharing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly metrics: MetricsService,
  ) {
    const { maxBytes, maxEntryBytes, redisMaxBytes } = config.phraseCache;
    this.maxEntryBytes = Math.min(maxEntryBytes, maxBytes);
    this.redisMaxBytes = redisMaxBytes;
    // Sent by its SHA-1 (EVALSHA; ioredis loads it again after a Redis restart), not as text.
    redis?.defineCommand('cwPhrasePut', { numberOfKeys: 4, lua: PUT_SCRIPT });
    if (maxBytes > 0) {
      this.memory = new LRUCache<string, CachedSpeech>({
        maxSize: maxBytes,
        sizeCalculation: (entry) => Math.max(1, entry.audio.length),
        dispose: (_entry, _key, reason) => {
          if (reason === 'evict') this.metrics.phraseCacheEvictions.inc();
          this.metrics.phraseCacheBytes.set(this.memory?.calculatedSize ?? 0);
        },
      });
    }
  }

  get enabled(): boolean {
    return this.memory !== undefined;
  }

  /** The key of `job`'s audio as `engineId` speaks it; undefined when the cache is off. */
  keyFor(job: SynthesisJob, kind: CacheKind, engineId: string): string | undefined {
    if (!this.memory) return undefined;
    const { profile } = job;
    const identity = [
      KEY_VERSION,
      kind,
      profile.tenant.id,
      profile.voice.id,
      profile.voice.updatedAt?.getTime() ?? 0,
      engineId,
      profile.language,
      profile.format,
      profile.sampleRate,
      profile.speed,
      profile.pronunciations.dictionaries,
      job.plan,
    ];
    return createHash('sha256').update(JSON.stringify(identity)).digest('base64url');
  }

  /** The entry, from memory or else the shared cache (then kept in memory too). */
  async get(key: string): Promise<CachedSpeech | undefined> {
    const local = this.memory?.get(key);
    if (local) {
      this.metrics.phraseCacheLookups.inc({ result: 'hit_memory' });
      return local;
    }
    const shared = await this.getShared(key);
    if (shared) {
      this.metrics.phraseCacheLookups.inc({ result: 'hit_redis' });
      this.remember(key, shared);
      return shared;
    }
    this.metrics.phraseCacheLookups.inc({ result: 'miss' });
    return undefined;
  }

  /** Keeps a finished rendering (too large ones are skipped); shared when Redis is set. */
  put(key: string, entry: CachedSpeech): void {
    if (entry.audio.length === 0 || entry.audio.length > this.maxEntryBytes) return;
    this.remember(key, entry);
    if (!this.redis || this.redisMaxBytes <= 0) return;
    this.unshared.set(key, entry);
    this.shareTimer ??= setTimeout(() => void this.share(), SHARED_WRITE_DELAY_MS);
  }

  /** Writes the entries waiting for the shared cache now (a shutdown does not drop them). */
  async onModuleDestroy(): Promise<void> {
    await this.share();
  }

  /** Audio chunks as they are sent; `audio()` joins them once the stream ended (none if too large). */
  recorder(): { add(chunk: Buffer): void; audio(): Buffer | undefined } {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let overflow = false;
    return {
      add: (chunk) => {
        if (overflow) return;
        bytes += chunk.length;
        if (bytes > this.maxEntryBytes) {
          overflow = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
      },
      audio: () => (overflow ? undefined : Buffer.concat(chunks)),
    };
  }

  /** Admin: forget everything, here and in the shared cache. Returns the entries dropped here. */
  async flush(): Promise<number> {
    const dropped = this.memory?.size ?? 0;
    this.memory?.clear();
    this.unshared.clear();
    this.metrics.phraseCacheBytes.set(0);
    if (this.redis && this.redisMaxBytes > 0) {
      const keys = await this.redis.zrange(REDIS_INDEX, 0, -1);
      const pipeline = this.redis.pipeline();
      for (let i = 0; i < keys.length; i += 500) pipeline.del(...keys.slice(i, i + 500));
      pipeline.del(REDIS_INDEX, REDIS_SIZES, REDIS_TOTAL);
      await pipeline.exec();
    }
    return dropped;
  }

  private remember(key: string, entry: CachedSpeech): void {
    this.memory?.set(key, entry);
    this.metrics.phraseCacheBytes.set(this.memory?.calculatedSize ?? 0);
  }

  private async getShared(key: string): Promise<CachedSpeech | undefined> {
    if (!this.redis || this.redisMaxBytes <= 0) return undefined;
    const redisKey = REDIS_PREFIX + key;
    try {
      const packed = await Promise.race([
        this.redis.getBuffer(redisKey),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), REDIS_TIMEOUT_MS).unref()),
      ]);
      if (!packed) return undefined;
      // Recently used: the last to be dropped.
      void this.redis.zadd(REDIS_INDEX, 'XX', Date.now(), redisKey).catch(() => undefined);
      return unpackSpeech(packed);
    } catch {
      return undefined;
    }
  }

  /** Writes every entry waiting for the shared cache in one pipeline. */
  share(): Promise<void> {
    clearTimeout(this.shareTimer);
    this.shareTimer = undefined;
    if (this.unshared.size === 0 || !this.redis) return this.sharing;
    const pipeline = this.redis.pipeline() as PhrasePutPipeline;
    const now = Date.now();
    for (const [key, entry] of this.unshared) {
      pipeline.cwPhrasePut(
        REDIS_PREFIX + key,
        REDIS_INDEX,
        REDIS_SIZES,
        REDIS_TOTAL,
        packSpeech(entry),
        now,
        this.redisMaxBytes,
      );
    }
    this.unshared.clear();
    const written = pipeline.exec().then(
      (results) => {
        const failed = results?.find(([err]) => err)?.[0];
        if (failed) this.logger.debug({ err: failed }, 'phrase cache write to Redis failed');
      },
      // The shared cache is an optimisation: a failed write costs a later miss, nothing more.
      (err: unknown) => this.logger.debug({ err }, 'phrase cache write to Redis failed'),
    );
    this.sharing = written;
    return written;
  }
}
