import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the service reads, with its default. This class is the single place
 * where names and rules live; `.env.example` and the README list the same variables.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  EMBEDDED_PG_DIR = './.data/pg';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  DATABASE_CONNECT_TIMEOUT_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DATABASE_STATEMENT_TIMEOUT_MS = 5000;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_LOCK = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(10000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(60000, { message: 'STREAM_SLOT_LEASE_MS must be at most 60000 (a minute)' })
  STREAM_SLOT_LEASE_MS = 30000;

  /** How long a replica keeps a released slot for the tenant's next request; 0 turns it off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000, { message: 'STREAM_SLOT_PARK_MS must be at most 60000 (a minute)' })
  STREAM_SLOT_PARK_MS = 2000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;

  @Transform(toBool)
  @IsBoolean()
  ALLOW_DEMO_KEYS = false;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  AUTH_CACHE_TTL_MS = 30000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000000)
  AUTH_FAILURE_LIMIT = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  AUTH_FAILURE_WINDOW_S = 60;

  /** Express's `trust proxy`: false, true, a hop count, or addresses/CIDRs/loopback,uniquelocal. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^(true|false|\d+|[0-9A-Za-z.:/,\s]+)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or a comma list of addresses or CIDRs',
  })
  TRUST_PROXY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  @IsString()
  @MaxLength(64)
  TTS_ENGINE = 'espeak';

  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  ENGINE_POOL_SIZE?: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  ENGINE_MAX_QUEUE = 64;

  /**
   * eSpeak's build: `auto` uses the system's libespeak-ng (Debian's libespeak-ng1) when it is
   * installed, `embedded` always the bundled one, or a path to a libespeak-ng.so.1.
   */
  @IsString()
  @MaxLength(4096)
  ESPEAK_LIBRARY = 'auto';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  AUDIO_ENCODER_THREADS = 1;

  /**
   * Added to the nice value of the engine and encoder threads (0-19): they yield the CPU to the
   * event loop, which moves every stream's bytes and answers health checks.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(19)
  WORKER_NICE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DEFAULT_MAX_CONCURRENT_STREAMS = 10;

  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(3_600_000)
  SCHEDULER_LEAD_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(100)
  SCHEDULER_TARGET_LOAD_PCT = 50;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600)
  SHUTDOWN_DRAIN_S = 25;

  /** In-memory phrase cache, bytes of audio per replica; 0 turns the cache off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(16 * 1024 * 1024 * 1024)
  PHRASE_CACHE_MAX_BYTES = 64 * 1024 * 1024;

  /** Entries larger than this (a long text's audio) are never cached. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(512 * 1024 * 1024)
  PHRASE_CACHE_MAX_ENTRY_BYTES = 2 * 1024 * 1024;

  /** Shared phrase cache in Redis (with REDIS_URL), bytes in all; 0 keeps the cache per replica. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(16 * 1024 * 1024 * 1024)
  PHRASE_CACHE_REDIS_MAX_BYTES = 256 * 1024 * 1024;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true },
    { message: 'XTTS_URL must be an http(s) URL' },
  )
  XTTS_URL?: string;

  @IsIn(['none', 'embedded'])
  XTTS_FALLBACK: 'none' | 'embedded' = 'none';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  XTTS_TIMEOUT_MS = 10000;

  /** JSON or YAML file listing engines (see the README's Engines section). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ENGINES_FILE?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true },
    { message: 'UPSTREAM_OPENAI_URL must be an http(s) URL' },
  )
  @Matches(/\/v1\/?$/, {
    message: 'UPSTREAM_OPENAI_URL must be the API base ending in /v1 (e.g. http://kokoro:8880/v1)',
  })
  UPSTREAM_OPENAI_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  UPSTREAM_OPENAI_API_KEY?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  UPSTREAM_OPENAI_MODEL = 'tts-1';

  /** Comma list; empty: discovered from GET {base}/audio/voices. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*[^,\s][^,]*(,\s*[^,\s][^,]*)*\s*$/, {
    message: 'UPSTREAM_OPENAI_VOICES must be a comma-separated list of voice names',
  })
  UPSTREAM_OPENAI_VOICES?: string;

  @IsIn(['pcm', 'wav'], { message: 'UPSTREAM_OPENAI_FORMAT must be pcm or wav' })
  UPSTREAM_OPENAI_FORMAT: 'pcm' | 'wav' = 'pcm';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  UPSTREAM_OPENAI_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  UPSTREAM_OPENAI_CONCURRENCY = 4;
  /** The festival program for TTS_ENGINE=festival: a path, or a name on PATH. */
  @IsString()
  @MaxLength(1000)
  FESTIVAL_BINARY = 'festival';

  /** Long-lived festival processes (about 330 MB each); unset: one per core, at most 4. */
  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  FESTIVAL_POOL_SIZE?: number;

  @Matches(/^[a-z0-9_]{1,64}$/, {
    message: 'FESTIVAL_VOICE must be a Festival voice name such as cmu_us_slt_arctic_hts',
  })
  FESTIVAL_VOICE = 'cmu_us_slt_arctic_hts';

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  FESTIVAL_TIMEOUT_MS = 30000;

  @IsString()
  VOICE_STORAGE_DIR = './.data/voices';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: 'S3_BUCKET must be a valid bucket name',
  })
  S3_BUCKET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true },
    { message: 'S3_ENDPOINT must be an http(s) URL' },
  )
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION = 'us-east-1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  @Transform(toBool)
  @IsBoolean()
  METRICS_TENANT_LABELS = false;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  UPLOAD_DECODE_QUEUE = 32;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  MAX_AUDIO_SECONDS_PER_REQUEST = 600;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60000)
  USAGE_FLUSH_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1000000)
  USAGE_BUFFER_MAX = 10000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SIGNED_URL_SECRET must be at least 32 characters' })
  SIGNED_URL_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400, { message: 'SIGNED_URL_TTL_S must be at most 86400 (24 hours)' })
  SIGNED_URL_TTL_S = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  CLIP_SWEEP_INTERVAL_S = 60;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100000)
  PRONUNCIATION_MAX_DICTIONARIES = 100;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000000)
  PRONUNCIATION_MAX_RULES = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000000000)
  PRONUNCIATION_MAX_BYTES = 2_000_000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100_000_000)
  PRONUNCIATION_MAX_FILE_BYTES = 1_048_576;
}
