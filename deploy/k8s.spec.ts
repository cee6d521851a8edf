import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PATH_METADATA } from '@nestjs/common/constants';
import { HealthController } from '../apps/api/src/health/health.controller';
import { REQUIRED_FOR_REPLICAS, SCHEMA_VARIABLES, unknownVariables } from './__tests__/env-names';

/**
 * The manifests in deploy/k8s checked against the Kubernetes OpenAPI schemas that the
 * `kubernetes-models` package ships, made strict the way kubeconform's "-strict" schemas are: an
 * object that lists its properties accepts no other, so a misspelled field fails here, not on
 * `kubectl apply`.
 */
const K8S_DIR = resolve(__dirname, 'k8s');

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [field: string]: unknown;
};

/** The package's schema file for each kind we deploy, and the id it registers. */
const KINDS: Record<string, { file: string; id: string }> = {
  'v1/ConfigMap': { file: 'IoK8sApiCoreV1ConfigMap', id: 'io.k8s.api.core.v1.ConfigMap' },
  'v1/Secret': { file: 'IoK8sApiCoreV1Secret', id: 'io.k8s.api.core.v1.Secret' },
  'v1/Service': { file: 'IoK8sApiCoreV1Service', id: 'io.k8s.api.core.v1.Service' },
  'apps/v1/Deployment': { file: 'IoK8sApiAppsV1Deployment', id: 'io.k8s.api.apps.v1.Deployment' },
  'batch/v1/Job': { file: 'IoK8sApiBatchV1Job', id: 'io.k8s.api.batch.v1.Job' },
  'policy/v1/PodDisruptionBudget': {
    file: 'IoK8sApiPolicyV1PodDisruptionBudget',
    id: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    file: 'IoK8sApiAutoscalingV2HorizontalPodAutoscaler',
    id: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  },
};

/** Adds `additionalProperties: false` to every object schema that lists its properties. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' ? v : strict(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function strictKubernetesValidator(): (m: Manifest) => ValidateFunction {
  // The package registers its raw schemas (with their $refs) into one Ajv instance; we read them
  // back from it. The packages' `exports` do not name these files, hence the paths.
  // Files chosen at run time, outside the packages' `exports`: a plain require by path.
  const load = createRequire(__filename);
  const validateEntry = require.resolve('@kubernetes-models/validate');
  const registry = (
    load(join(dirname(validateEntry), 'ajv.js')) as {
      ajv: { schemas: Record<string, { schema: AnySchema } | undefined> };
    }
  ).ajv;
  const models = resolve(dirname(require.resolve('kubernetes-models/apps/v1/Deployment')), '../..');
  for (const { file } of Object.values(KINDS))
    (load(join(models, '_schemas', `${file}.js`)) as { addSchema(): void }).addSchema();

  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  // https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
  ajv.addFormat(
    'quantity',
    /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/,
  );
  for (const [id, env] of Object.entries(registry.schemas))
    if (env && id.startsWith('io.k8s.')) ajv.addSchema(strict(env.schema) as AnySchema, id);

  return (m) => {
    const kind = KINDS[`${m.apiVersion}/${m.kind}`];
    if (!kind) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
    return ajv.getSchema(kind.id)!;
  };
}

const manifestFiles = readdirSync(K8S_DIR).filter(
  (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
);
const manifests: Manifest[] = manifestFiles.map(
  (f) => parse(readFileSync(join(K8S_DIR, f), 'utf8')) as Manifest,
);
const byKind = <T = Manifest>(kind: string): T =>
  manifests.find((m) => m.kind === kind) as unknown as T;

interface EnvVar {
  name: string;
  value?: string;
}
interface Container {
  name: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  [field: string]: unknown;
}
interface PodSpec {
  containers: Container[];
  [field: string]: unknown;
}
type Workload = Manifest & { spec: { template: { spec: PodSpec } } };

describe('deploy/k8s manifests', () => {
  const schemaFor = strictKubernetesValidator();

  it('kustomization.yaml lists every manifest in the folder', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
  });

  it.each(manifestFiles.map((f, i) => [f, manifests[i]] as const))(
    '%s is valid against the strict Kubernetes schema',
    (_file, manifest) => {
      const validate = schemaFor(manifest);
      validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
    },
  );

  it.each([
    [
      'a misspelled container field',
      (d: Workload) => (d.spec.template.spec.containers[0].imagePullPolcy = 'Always'),
    ],
    ['a misspelled pod field', (d: Workload) => (d.spec.template.spec.terminationGracePeriod = 40)],
    [
      'a field at the top of the spec',
      (d: Workload) => ((d.spec as Record<string, unknown>).replica = 2),
    ],
    [
      'a string where an integer goes',
      (d: Workload) => (d.spec.template.spec.terminationGracePeriodSeconds = '40'),
    ],
    [
      'a bad quantity',
      (d: Workload) =>
        ((
          d.spec.template.spec.containers[0].resources as { limits: Record<string, string> }
        ).limits.memory = '1 GB'),
    ],
  ])('the schema refuses a Deployment with %s', (_what, spoil) => {
    const deployment = structuredClone(byKind<Workload>('Deployment'));
    spoil(deployment);
    const validate = schemaFor(deployment);
    expect(validate(deployment)).toBe(false);
  });

  describe('the Deployment', () => {
    const deployment = byKind<Workload>('Deployment');
    const pod = deployment.spec.template.spec;
    const api = pod.containers[0];

    it('runs non-root on a read-only root filesystem with a writable /tmp, within resources', () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(api.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      const volumes = pod.volumes as { name: string; emptyDir?: object }[];
      const tmp = (api.volumeMounts as { name: string; mountPath: string }[]).find(
        (v) => v.mountPath === '/tmp',
      );
      expect(volumes.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(api.resources).toMatchObject({
        requests: { cpu: expect.any(String), memory: expect.any(String) },
        limits: { cpu: expect.any(String), memory: expect.any(String) },
      });
    });

    it('probes the health routes the service really has', () => {
      const routes = ['live', 'ready'].map((handler) => {
        const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
        const path = Reflect.getMetadata(
          PATH_METADATA,
          HealthController.prototype[handler as keyof HealthController],
        ) as string;
        return `/${base}/${path}`;
      });
      expect(routes).toEqual(['/v1/health/live', '/v1/health/ready']);
      const path = (probe: string) => (api[probe] as { httpGet: { path: string } }).httpGet.path;
      expect(path('livenessProbe')).toBe(routes[0]);
      expect(path('startupProbe')).toBe(routes[0]);
      expect(path('readinessProbe')).toBe(routes[1]);
    });

    it('gives a stopping replica 40 s, more than its 25 s drain', () => {
      const config = byKind<Manifest & { data: Record<string, string> }>('ConfigMap');
      expect(pod.terminationGracePeriodSeconds).toBe(40);
      expect(Number(config.data.SHUTDOWN_DRAIN_S)).toBe(25);
    });

    it('starts replicas with MIGRATIONS_RUN=false; the Job runs the migration CLI', () => {
      expect(api.env).toContainEqual({ name: 'MIGRATIONS_RUN', value: 'false' });
      const job = byKind<Workload>('Job');
      expect(job.spec.template.spec.containers[0].command).toEqual([
        'node',
        'dist/libs/db/src/cli/migrate.js',
        'run',
      ]);
    });

    it('the HPA, PDB and Service select the Deployment’s pods', () => {
      const labels = (
        deployment.spec.template as unknown as { metadata: { labels: Record<string, string> } }
      ).metadata.labels;
      const hpa = byKind<Manifest & { spec: { scaleTargetRef: { kind: string; name: string } } }>(
        'HorizontalPodAutoscaler',
      );
      expect(hpa.spec.scaleTargetRef).toMatchObject({
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      const pdb = byKind<Manifest & { spec: { selector: { matchLabels: object } } }>(
        'PodDisruptionBudget',
      );
      expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
      const service = byKind<Manifest & { spec: { selector: object } }>('Service');
      expect(labels).toMatchObject(service.spec.selector);
    });
  });

  describe('environment variables', () => {
    const configMap = byKind<Manifest & { data: Record<string, string> }>('ConfigMap');
    const secret = byKind<Manifest & { stringData: Record<string, string> }>('Secret');
    const provided = { ...configMap.data, ...secret.stringData };
    const workloads = [byKind<Workload>('Deployment'), byKind<Workload>('Job')];

    it('the ConfigMap and the Secret cover every variable of env.schema.ts', () => {
      expect(SCHEMA_VARIABLES.filter((n) => !(n in provided))).toEqual([]);
      // One place per variable.
      expect(Object.keys(configMap.data).filter((n) => n in secret.stringData)).toEqual([]);
    });

    it('every variable the manifests set exists in env.schema.ts', () => {
      const set = [
        ...Object.keys(provided),
        ...workloads.flatMap((w) =>
          w.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.name)),
        ),
      ];
      expect(unknownVariables(set)).toEqual([]);
      // The drain the grace period is sized for.
      expect(provided.SHUTDOWN_DRAIN_S).toBe('25');
    });

    it('every workload reads the ConfigMap and the Secret', () => {
      for (const w of workloads)
        for (const c of w.spec.template.spec.containers)
          expect(c.envFrom).toEqual([
            { configMapRef: { name: configMap.metadata.name } },
            { secretRef: { name: secret.metadata.name } },
          ]);
    });

    it('sets what several replicas need, none of it empty', () => {
      expect(REQUIRED_FOR_REPLICAS.filter((n) => !provided[n]?.trim())).toEqual([]);
      expect(provided.NODE_ENV).toBe('production');
      expect(provided.MIGRATIONS_RUN).toBe('false');
      expect(provided.SIGNED_URL_SECRET.length).toBeGreaterThanOrEqual(32);
      expect(provided.ADMIN_API_KEY.length).toBeGreaterThanOrEqual(16);
    });

    it('holds secrets in the Secret, not the ConfigMap', () => {
      for (const name of [
        'DATABASE_URL',
        'REDIS_URL',
        'ADMIN_API_KEY',
        'SIGNED_URL_SECRET',
        'S3_SECRET_ACCESS_KEY',
      ])
        expect(Object.keys(secret.stringData)).toContain(name);
    });
  });
});
