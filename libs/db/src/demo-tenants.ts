/**
 * The tenants and keys the Python predecessor shipped with; existing integrations call with these
 * keys. Migration 1764180000001 seeds them (storing only the keys' SHA-256 hashes), and in
 * production the service refuses to start while either key is active, unless ALLOW_DEMO_KEYS=true.
 * Already-applied databases hold these rows: changing a value here would make new databases
 * differ from old ones, so treat this list as part of that migration.
 */
export interface DemoTenant {
  slug: string;
  name: string;
  key: string;
  perMin: number;
  perHour: number;
  voices: number;
}

export const DEMO_TENANTS: readonly DemoTenant[] = [
  {
    slug: 'callwaiting_demo',
    name: 'CallWaiting Demo',
    key: 'cw_demo_12345',
    perMin: 1000,
    perHour: 10000,
    voices: 20,
  },
  {
    slug: 'test_tenant',
    name: 'Test Tenant',
    key: 'test_key_67890',
    perMin: 100,
    perHour: 1000,
    voices: 5,
  },
];

export const DEMO_KEYS: readonly string[] = DEMO_TENANTS.map((t) => t.key);
