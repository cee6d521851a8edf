import 'reflect-metadata';
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
  };
  redisUrl?: string;
  auth: {
    adminApiKey?: string;
    allowDemoKeys: boolean;
    cacheTtlMs: number;
    /** Failed authentications one client address may make per window before 429. */
    failureLimit: number;
    failureWindowS: number;
  };
  publicBaseUrl?: string;
  engine: {
    name: string;
    poolSize?: number;
    maxQueue: number;
  };
  limits: {
    defaultMaxConcurrentStreams: number;
  };
  scheduler: {
    /** A live stream is synthesized at most this far ahead of its listener. */
    leadMs: number;
    /** Share of the engine's measured capacity that admitted real-time streams may use, 0-1. */
    targetLoad: number;
  };
  xtts: {
    /** Set: the XTTS adapter is available (TTS_ENGINE=xtts). */
    url?: string;
    fallback: 'none' | 'embedded';
    timeoutMs: number;
  };
  metrics: { tenantLabels: boolean };
  /** Uploads waiting for the decoder thread before new ones get 503 upload_busy. */
  uploads: { decodeQueue: number };
  usage: { flushMs: number; bufferMax: number };
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
 * Validates the environment and returns the typed config. The one place that reads
 * `process.env`; throws a ConfigError naming each bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Unrelated variables land on the instance too; only decorated properties are validated and read.
  const parsed = plainToInstance(EnvSchema, { ...env }, { exposeDefaultValues: true });
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
    },
    redisUrl: parsed.REDIS_URL,
    auth: {
      adminApiKey: parsed.ADMIN_API_KEY,
      allowDemoKeys: parsed.ALLOW_DEMO_KEYS,
      cacheTtlMs: parsed.AUTH_CACHE_TTL_MS,
      failureLimit: parsed.AUTH_FAILURE_LIMIT,
      failureWindowS: parsed.AUTH_FAILURE_WINDOW_S,
    },
    publicBaseUrl: parsed.PUBLIC_BASE_URL,
    engine: {
      name: parsed.TTS_ENGINE,
      poolSize: parsed.ENGINE_POOL_SIZE,
      maxQueue: parsed.ENGINE_MAX_QUEUE,
    },
    limits: {
      defaultMaxConcurrentStreams: parsed.DEFAULT_MAX_CONCURRENT_STREAMS,
    },
    scheduler: {
      leadMs: parsed.SCHEDULER_LEAD_MS,
      targetLoad: parsed.SCHEDULER_TARGET_LOAD_PCT / 100,
    },
    xtts: {
      url: parsed.XTTS_URL,
      fallback: parsed.XTTS_FALLBACK,
      timeoutMs: parsed.XTTS_TIMEOUT_MS,
    },
    metrics: { tenantLabels: parsed.METRICS_TENANT_LABELS },
    uploads: { decodeQueue: parsed.UPLOAD_DECODE_QUEUE },
    usage: { flushMs: parsed.USAGE_FLUSH_MS, bufferMax: parsed.USAGE_BUFFER_MAX },
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
