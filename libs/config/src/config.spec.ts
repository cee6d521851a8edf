import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, configVariableNames, loadConfig, readEnvironment } from './config';

const EXAMPLE = resolve(__dirname, '../../../.env.example');

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.database.url).toBeUndefined();
    expect(config.database.migrationsLock).toBe(true);
    expect(config.engine.name).toBe('espeak');
    expect(config.auth.allowDemoKeys).toBe(false);
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '9001', MIGRATIONS_LOCK: 'false', ALLOW_DEMO_KEYS: '1' });
    expect(config.port).toBe(9001);
    expect(config.database.migrationsLock).toBe(false);
    expect(config.auth.allowDemoKeys).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY'],
    [{ MIGRATIONS_RUN: 'perhaps' }, 'MIGRATIONS_RUN'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name}:`));
  });

  it('treats empty optional variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' }).database.url).toBeUndefined();
  });

  it('treats an empty value of any variable as unset: its default applies', () => {
    const config = loadConfig({
      ENGINE_POOL_SIZE: '',
      MIGRATIONS_RUN: '',
      PORT: ' ',
      LOG_LEVEL: '',
    });
    expect(config.engine.poolSize).toBeUndefined();
    expect(config.database.migrationsRun).toBe(true);
    expect(config.port).toBe(8000);
    expect(config.logLevel).toBe('info');
  });

  it('boots on .env.example exported as it is (set -a; . ./.env.example)', () => {
    const exported = parseEnv(readFileSync(EXAMPLE, 'utf8'));
    expect(exported.ENGINE_POOL_SIZE).toBe('');
    const config = loadConfig(exported);
    expect(config.engine.poolSize).toBeUndefined();
    expect(config.storage.s3).toBeUndefined();
    expect(config.database.url).toBeUndefined();
  });
});

describe('readEnvironment: the .env file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cw-dotenv-'));
    file = join(dir, '.env');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file, and a real variable wins over it', () => {
    writeFileSync(file, 'PORT=9100\nLOG_LEVEL=debug\n# a comment\nTTS_ENGINE="espeak"\n');
    const env = readEnvironment(file, { PORT: '9200', OTHER: 'x' });
    expect(env).toEqual({ PORT: '9200', LOG_LEVEL: 'debug', TTS_ENGINE: 'espeak', OTHER: 'x' });
    expect(loadConfig(env).port).toBe(9200);
    expect(loadConfig(env).logLevel).toBe('debug');
  });

  it('an empty value counts as unset, in the file and in the environment', () => {
    writeFileSync(file, 'ENGINE_POOL_SIZE=\nPORT=9100\n');
    const env = readEnvironment(file, { PORT: '' });
    expect(env).toEqual({ PORT: '9100' });
    expect(loadConfig(env).engine.poolSize).toBeUndefined();
  });

  it('a missing file is not an error', () => {
    expect(readEnvironment(join(dir, 'absent.env'), { PORT: '9300' })).toEqual({ PORT: '9300' });
  });

  it('loadConfig() reads .env in the working directory without touching process.env', () => {
    writeFileSync(file, 'CLIP_SWEEP_INTERVAL_S=7\n');
    const cwd = process.cwd();
    const before = process.env.CLIP_SWEEP_INTERVAL_S;
    process.chdir(dir);
    try {
      expect(loadConfig().clips.sweepIntervalS).toBe(before ? Number(before) : 7);
    } finally {
      process.chdir(cwd);
    }
    expect(process.env.CLIP_SWEEP_INTERVAL_S).toBe(before);
  });
});

describe('loadConfig: engines and storage', () => {
  it('groups S3 settings only when a bucket is set', () => {
    expect(loadConfig({}).storage.s3).toBeUndefined();
    const config = loadConfig({
      S3_BUCKET: 'voices',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.storage.s3).toMatchObject({
      bucket: 'voices',
      endpoint: 'http://127.0.0.1:4569',
      forcePathStyle: true,
    });
  });

  it('registers one OpenAI-compatible upstream from the environment', () => {
    expect(loadConfig({}).engines.upstreamOpenai).toBeUndefined();
    const config = loadConfig({
      UPSTREAM_OPENAI_URL: 'http://kokoro:8880/v1',
      UPSTREAM_OPENAI_VOICES: 'af_heart, am_adam',
    });
    expect(config.engines.upstreamOpenai).toEqual({
      url: 'http://kokoro:8880/v1',
      apiKey: undefined,
      model: 'tts-1',
      voices: ['af_heart', 'am_adam'],
      format: 'pcm',
      timeoutMs: 10000,
      concurrency: 4,
    });
    expect(() => loadConfig({ UPSTREAM_OPENAI_URL: 'http://kokoro:8880' })).toThrow(
      /UPSTREAM_OPENAI_URL must be the API base ending in \/v1/,
    );
    expect(() => loadConfig({ UPSTREAM_OPENAI_FORMAT: 'mp3' })).toThrow(
      /UPSTREAM_OPENAI_FORMAT must be pcm or wav/,
    );
  });

  it.each([
    [{ XTTS_URL: 'not a url' }, 'XTTS_URL'],
    [{ XTTS_FALLBACK: 'maybe' }, 'XTTS_FALLBACK'],
    [{ S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET'],
    [{ SIGNED_URL_SECRET: 'too-short' }, 'SIGNED_URL_SECRET'],
    [{ SIGNED_URL_TTL_S: '86401' }, 'SIGNED_URL_TTL_S'],
    [{ SIGNED_URL_TTL_S: '0' }, 'SIGNED_URL_TTL_S'],
    [{ CLIP_SWEEP_INTERVAL_S: 'hourly' }, 'CLIP_SWEEP_INTERVAL_S'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${name}:`));
  });
});

describe('loadConfig: the eSpeak build', () => {
  it('maps ESPEAK_LIBRARY onto the engine option: auto looks, embedded never, else a path', () => {
    expect(loadConfig({}).engine.espeakLibrary).toBeUndefined();
    expect(loadConfig({ ESPEAK_LIBRARY: 'auto' }).engine.espeakLibrary).toBeUndefined();
    expect(loadConfig({ ESPEAK_LIBRARY: 'embedded' }).engine.espeakLibrary).toBeNull();
    expect(loadConfig({ ESPEAK_LIBRARY: '/opt/lib/libespeak-ng.so.1' }).engine.espeakLibrary).toBe(
      '/opt/lib/libespeak-ng.so.1',
    );
  });
});

describe('loadConfig: signed clip URLs', () => {
  it('defaults to a one-hour TTL, a one-minute sweep and no secret (one is made at boot)', () => {
    expect(loadConfig({}).clips).toEqual({
      urlSecret: undefined,
      urlTtlS: 3600,
      sweepIntervalS: 60,
    });
  });

  it('reads the secret and the intervals', () => {
    const secret = 'x'.repeat(32);
    expect(
      loadConfig({
        SIGNED_URL_SECRET: secret,
        SIGNED_URL_TTL_S: '600',
        CLIP_SWEEP_INTERVAL_S: '5',
      }).clips,
    ).toEqual({ urlSecret: secret, urlTtlS: 600, sweepIntervalS: 5 });
  });
});

describe('documentation of the variables', () => {
  const names = configVariableNames();

  it('.env.example lists exactly the variables the service reads', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    const listed = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(names);
  });

  it('the README names every variable', () => {
    const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
    expect(names.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });
});
