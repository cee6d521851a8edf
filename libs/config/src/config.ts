import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { EnvSchema } from './env.schema';

export type NodeEnv = 'development' | 'production' | 'test';

/** The typed configuration object. Built once at boot from the environment. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  logLevel: string;
  database: {
    /** Unset: the service starts an embedded PostgreSQL. */
    url?: string;
    embeddedDir: string;
    embeddedPort: number;
    migrationsRun: boolean;
    migrationsLock: boolean;
    /** Past these the app answers 503 database_unavailable instead of waiting. */
    timeouts: { connectMs: number; statementMs: number };
  };
  redisUrl?: string;
  redis: {
    /** A Redis command that has no answer by then fails, and the replica counts on its own. */
    commandTimeoutMs: number;
  };
  auth: {
    adminApiKey?: string;
    allowDemoKeys: boolean;
    cacheTtlMs: number;
    /** Failed authentications one client address may make per window before 429. */
    failureLimit: number;
    failureWindowS: number;
    /** Which proxies' X-Forwarded-For names the client (Express `trust proxy`). */
    trustProxy?: string;
  };
  publicBaseUrl?: string;
  engine: {
    name: string;
    poolSize?: number;
    maxQueue: number;
    /**
     * The system's libespeak-ng, as EspeakEngine's `library` option takes it: undefined = look in
     * the usual places (`auto`), null = the embedded build only (`embedded`), or a path.
     */
    espeakLibrary?: string | null;
  };
  /** Worker threads that encode MP3 (and resample) for streams, off the event loop. */
  audio: { encoderThreads: number };
  /**
   * Added to the nice value of the engine and encoder threads, so they yield the CPU to the
   * event loop.
   */
  workerNice: number;
  limits: {
    defaultMaxConcurrentStreams: number;
    /** A replica renews its stream slots in Redis; a dead replica's slots lapse after this. */
    streamSlotLeaseMs: number;
    /**
     * A replica keeps a released slot this long for the tenant's next request, which then needs
     * no round trip to Redis; 0 = off.
     */
    streamSlotParkMs: number;
  };
  scheduler: {
    /** A live stream is synthesized at most this far ahead of its listener. */
    leadMs: number;
    /** Share of the engine's measured capacity that admitted real-time streams may use, 0-1. */
    targetLoad: number;
  };
  /** SIGTERM: how long streams in flight may finish before the rest is cut. */
  shutdown: { drainMs: number };
  /** Audio of repeated requests, per replica in memory and shared in Redis. */
  phraseCache: { maxBytes: number; maxEntryBytes: number; redisMaxBytes: number };
  xtts: {
    /** Set: the XTTS adapter is available (TTS_ENGINE=xtts). */
    url?: string;
    fallback: 'none' | 'embedded';
    timeoutMs: number;
  };
  /** Engines besides the embedded one: a file listing them, and/or one OpenAI-compatible upstream. */
  engines: {
    file?: string;
    upstreamOpenai?: {
      url: string;
      apiKey?: string;
      model: string;
      voices: string[];
      format: 'pcm' | 'wav';
      timeoutMs: number;
      concurrency: number;
    };
  };
  /** TTS_ENGINE=festival: Debian's festival, a pool of long-lived processes. */
  festival: { binary: string; poolSize?: number; voice: string; timeoutMs: number };
  metrics: { tenantLabels: boolean };
  /** Uploads waiting for the decoder thread before new ones get 503 upload_busy. */
  uploads: { decodeQueue: number };
  /** Most audio one request (or one WebSocket text) may produce, ms: 400 audio_too_long beyond. */
  synthesis: { maxAudioMs: number };
  usage: { flushMs: number; bufferMax: number };
  /** Per-tenant limits on pronunciation dictionaries, and the largest PLS file accepted. */
  pronunciation: {
    maxDictionaries: number;
    /** Rules across all of a tenant's dictionaries. */
    maxRules: number;
    /** UTF-8 bytes of those rules' text. */
    maxBytes: number;
    maxFileBytes: number;
  };
  /** Stored clips behind signed URLs (POST /v1/synthesize-url). */
  clips: {
    /** Unset: a random secret per process, so URLs do not survive a restart or another replica. */
    urlSecret?: string;
    /** Default lifetime of a signed URL (and its clip), seconds. */
    urlTtlS: number;
    sweepIntervalS: number;
  };
  storage: {
    localDir: string;
    /** Set: voice audio goes to S3 instead of the local directory. */
    s3?: {
      bucket: string;
      endpoint?: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      forcePathStyle: boolean;
    };
  };
}

/** Every variable the service reads (the decorated properties of EnvSchema). */
export function configVariableNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * An empty value means "not set", so `.env.example` exported as it is (`ENGINE_POOL_SIZE=`) boots
 * on the defaults instead of failing on "".
 */
function withoutEmptyValues(env: NodeJS.ProcessEnv | NodeJS.Dict<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && value.trim() !== '') out[name] = value;
  return out;
}

/**
 * The real environment over the variables of an env file (`.env` in the working directory by
 * default): a variable set in the environment wins; an empty one counts as unset, as everywhere.
 * A missing file is not an error (every variable is optional).
 */
export function readEnvironment(
  envFile = resolve('.env'),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...withoutEmptyValues(fromFile), ...withoutEmptyValues(env) };
}

/**
 * `ESPEAK_LIBRARY` as EspeakEngine's `library` option: `auto` (or unset) → undefined, `embedded`
 * → null, anything else is a path. The bench reads the variable through this too.
 */
export function espeakLibraryChoice(value: string | undefined): string | null | undefined {
  const choice = value?.trim();
  if (!choice || choice === 'auto') return undefined;
  return choice === 'embedded' ? null : choice;
}

/**
 * Validates the environment and returns the typed config. The one place that reads
 * `process.env` (and `.env`); throws a ConfigError naming each bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): AppConfig {
  // Unrelated variables land on the instance too; only decorated properties are validated and read.
  const parsed = plainToInstance(EnvSchema, withoutEmptyValues(env), {
    exposeDefaultValues: true,
  });
  const errors = validateSync(parsed, { whitelist: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const messages = Object.values(e.constraints ?? {});
        return `${e.property}: ${messages.join(', ')} (got ${JSON.stringify(e.value)})`;
      }),
    );
  }
  return {
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL,
    database: {
      url: parsed.DATABASE_URL,
      embeddedDir: parsed.EMBEDDED_PG_DIR,
      embeddedPort: parsed.EMBEDDED_PG_PORT,
      migrationsRun: parsed.MIGRATIONS_RUN,
      migrationsLock: parsed.MIGRATIONS_LOCK,
      timeouts: {
        connectMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
        statementMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
      },
    },
    redisUrl: parsed.REDIS_URL,
    redis: { commandTimeoutMs: parsed.REDIS_COMMAND_TIMEOUT_MS },
    auth: {
      adminApiKey: parsed.ADMIN_API_KEY,
      allowDemoKeys: parsed.ALLOW_DEMO_KEYS,
      cacheTtlMs: parsed.AUTH_CACHE_TTL_MS,
      failureLimit: parsed.AUTH_FAILURE_LIMIT,
      failureWindowS: parsed.AUTH_FAILURE_WINDOW_S,
      trustProxy: parsed.TRUST_PROXY,
    },
    publicBaseUrl: parsed.PUBLIC_BASE_URL,
    engine: {
      name: parsed.TTS_ENGINE,
      poolSize: parsed.ENGINE_POOL_SIZE,
      maxQueue: parsed.ENGINE_MAX_QUEUE,
      espeakLibrary: espeakLibraryChoice(parsed.ESPEAK_LIBRARY),
    },
    audio: { encoderThreads: parsed.AUDIO_ENCODER_THREADS },
    workerNice: parsed.WORKER_NICE,
    limits: {
      defaultMaxConcurrentStreams: parsed.DEFAULT_MAX_CONCURRENT_STREAMS,
      streamSlotLeaseMs: parsed.STREAM_SLOT_LEASE_MS,
      streamSlotParkMs: parsed.STREAM_SLOT_PARK_MS,
    },
    scheduler: {
      leadMs: parsed.SCHEDULER_LEAD_MS,
      targetLoad: parsed.SCHEDULER_TARGET_LOAD_PCT / 100,
    },
    shutdown: { drainMs: parsed.SHUTDOWN_DRAIN_S * 1000 },
    phraseCache: {
      maxBytes: parsed.PHRASE_CACHE_MAX_BYTES,
      maxEntryBytes: parsed.PHRASE_CACHE_MAX_ENTRY_BYTES,
      redisMaxBytes: parsed.PHRASE_CACHE_REDIS_MAX_BYTES,
    },
    xtts: {
      url: parsed.XTTS_URL,
      fallback: parsed.XTTS_FALLBACK,
      timeoutMs: parsed.XTTS_TIMEOUT_MS,
    },
    engines: {
      file: parsed.ENGINES_FILE,
      upstreamOpenai: parsed.UPSTREAM_OPENAI_URL
        ? {
            url: parsed.UPSTREAM_OPENAI_URL,
            apiKey: parsed.UPSTREAM_OPENAI_API_KEY,
            model: parsed.UPSTREAM_OPENAI_MODEL,
            voices: (parsed.UPSTREAM_OPENAI_VOICES ?? '')
              .split(',')
              .map((v) => v.trim())
              .filter(Boolean),
            format: parsed.UPSTREAM_OPENAI_FORMAT,
            timeoutMs: parsed.UPSTREAM_OPENAI_TIMEOUT_MS,
            concurrency: parsed.UPSTREAM_OPENAI_CONCURRENCY,
          }
        : undefined,
    },
    festival: {
      binary: parsed.FESTIVAL_BINARY,
      poolSize: parsed.FESTIVAL_POOL_SIZE,
      voice: parsed.FESTIVAL_VOICE,
      timeoutMs: parsed.FESTIVAL_TIMEOUT_MS,
    },
    metrics: { tenantLabels: parsed.METRICS_TENANT_LABELS },
    uploads: { decodeQueue: parsed.UPLOAD_DECODE_QUEUE },
    synthesis: { maxAudioMs: parsed.MAX_AUDIO_SECONDS_PER_REQUEST * 1000 },
    usage: { flushMs: parsed.USAGE_FLUSH_MS, bufferMax: parsed.USAGE_BUFFER_MAX },
    pronunciation: {
      maxDictionaries: parsed.PRONUNCIATION_MAX_DICTIONARIES,
      maxRules: parsed.PRONUNCIATION_MAX_RULES,
      maxBytes: parsed.PRONUNCIATION_MAX_BYTES,
      maxFileBytes: parsed.PRONUNCIATION_MAX_FILE_BYTES,
    },
    clips: {
      urlSecret: parsed.SIGNED_URL_SECRET,
      urlTtlS: parsed.SIGNED_URL_TTL_S,
      sweepIntervalS: parsed.CLIP_SWEEP_INTERVAL_S,
    },
    storage: {
      localDir: parsed.VOICE_STORAGE_DIR,
      s3: parsed.S3_BUCKET
        ? {
            bucket: parsed.S3_BUCKET,
            endpoint: parsed.S3_ENDPOINT,
            region: parsed.S3_REGION,
            accessKeyId: parsed.S3_ACCESS_KEY_ID,
            secretAccessKey: parsed.S3_SECRET_ACCESS_KEY,
            forcePathStyle: parsed.S3_FORCE_PATH_STYLE,
          }
        : undefined,
    },
  };
}
