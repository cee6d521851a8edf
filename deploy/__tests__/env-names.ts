import { configVariableNames } from '@cw/config';

/** Every name the service reads (libs/config/src/env.schema.ts). */
export const SCHEMA_VARIABLES = configVariableNames();

/** Names a deployment sets that the service would ignore: typos, or variables that do not exist. */
export const unknownVariables = (names: Iterable<string>): string[] =>
  [...new Set(names)].filter((n) => !SCHEMA_VARIABLES.includes(n));

/**
 * What a deployment with more than one replica must set, and not to an empty value: a shared
 * database (else each replica starts its own), shared Redis (limits and slots), shared storage
 * (replicas share nothing on disk), one signing secret (a clip URL works on every replica), an
 * admin key, production mode, and no migrations at boot (a Job or a one-shot service runs them).
 */
export const REQUIRED_FOR_REPLICAS = [
  'NODE_ENV',
  'DATABASE_URL',
  'REDIS_URL',
  'S3_BUCKET',
  'SIGNED_URL_SECRET',
  'ADMIN_API_KEY',
  'MIGRATIONS_RUN',
];
