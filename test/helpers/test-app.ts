import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@cw/config';
import { AdminService } from '../../apps/api/src/admin/admin.service';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/app.setup';
import { CreateTenantDto } from '../../apps/api/src/admin/dto/create-tenant.dto';

export const TEST_ADMIN_KEY = 'test_admin_key_0123456789';

/** A full app on the real database (migrated by the global setup), as main.ts builds it. */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  options: { logStream?: NodeJS.WritableStream; databaseUrl?: string } = {},
): Promise<NestExpressApplication> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ENGINE_POOL_SIZE: '1',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    // Every spec calls from 127.0.0.1 and shares one Redis: their deliberate bad keys must not
    // add up to a block. The limit itself is tested with its own addresses (auth-flood spec).
    AUTH_FAILURE_LIMIT: '100000',
    ...process.env,
    MIGRATIONS_RUN: 'false',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        config,
        databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL!,
        logStream: options.logStream,
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
  configureApp(app);
  await app.init();
  return app;
}

export interface TestTenant {
  tenantId: string;
  uuid: string;
  key: string;
  keyId: string;
}

/** Each test makes its own tenant and key, so tests never depend on each other's rows. */
export async function createTenant(
  app: NestExpressApplication,
  overrides: Partial<CreateTenantDto> = {},
): Promise<TestTenant> {
  const admin = app.get(AdminService);
  const tenantId = `t_${randomBytes(6).toString('hex')}`;
  const tenant = await admin.createTenant({
    tenant_id: tenantId,
    name: `Test ${tenantId}`,
    rate_limit_per_minute: 1000,
    rate_limit_per_hour: 10000,
    max_voices: 5,
    ...overrides,
  });
  const key = await admin.issueKey(tenantId, 'test');
  return { tenantId, uuid: tenant.id, key: key.key, keyId: key.key_id };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** supertest parser that keeps a binary body as one Buffer. */
export function binaryParser(
  res: unknown,
  callback: (err: Error | null, body: Buffer) => void,
): void {
  const stream = res as NodeJS.ReadableStream;
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  stream.on('end', () => callback(null, Buffer.concat(parts)));
}
