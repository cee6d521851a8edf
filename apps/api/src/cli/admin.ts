import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigModule, loadConfig } from '@cw/config';
import { dataSourceOptions, prepareDatabase } from '@cw/db';
import { AdminModule } from '../admin/admin.module';
import { ChangeFeedModule } from '../change-feed/change-feed.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisModule } from '../redis/redis.module';
import { AdminService } from '../admin/admin.service';
import { CreateTenantDto } from '../admin/dto/create-tenant.dto';
import { UpdateTenantDto } from '../admin/dto/update-tenant.dto';

const USAGE = `Usage: npm run admin -- <command> [options]

  tenants:create --tenant-id ID --name NAME [--per-minute N] [--per-hour N] [--max-voices N]
                 [--monthly-quota-seconds N] [--max-concurrent-streams N]
  tenants:list
  tenants:update ID [--name NAME] [--per-minute N] [--per-hour N] [--max-voices N]
                 [--monthly-quota-seconds N] [--max-concurrent-streams N] [--active true|false]
                 [--nigerian-lexicon true|false]   the built-in lexicon by default (on unless false)
  keys:create ID --name NAME      prints the new key once
  keys:list ID
  keys:revoke KEY_ID

Revocations made here reach running servers within AUTH_CACHE_TTL_MS (default 30 s).`;

const OPTIONS = {
  'tenant-id': { type: 'string' },
  name: { type: 'string' },
  'per-minute': { type: 'string' },
  'per-hour': { type: 'string' },
  'max-voices': { type: 'string' },
  'monthly-quota-seconds': { type: 'string' },
  'max-concurrent-streams': { type: 'string' },
  active: { type: 'string' },
  'nigerian-lexicon': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
/** true and false as themselves; anything else is passed on for the DTO to refuse by name. */
const bool = (v: string | undefined) => (v === 'true' ? true : v === 'false' ? false : v);

async function validated<T extends object>(cls: new () => T, plain: object): Promise<T> {
  const dto = plainToInstance(cls, JSON.parse(JSON.stringify(plain)) as object);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    throw new Error(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
  }
  return dto;
}

async function run(
  admin: AdminService,
  command: string,
  positional: string[],
  o: Record<string, string | boolean | undefined>,
) {
  const limits = {
    name: o.name,
    rate_limit_per_minute: num(o['per-minute'] as string),
    rate_limit_per_hour: num(o['per-hour'] as string),
    max_voices: num(o['max-voices'] as string),
    monthly_quota_seconds: num(o['monthly-quota-seconds'] as string),
    max_concurrent_streams: num(o['max-concurrent-streams'] as string),
  };
  switch (command) {
    case 'tenants:create':
      return admin.createTenant(
        await validated(CreateTenantDto, { tenant_id: o['tenant-id'], ...limits }),
      );
    case 'tenants:list':
      return admin.listTenants();
    case 'tenants:update': {
      const active = o.active === undefined ? undefined : o.active === 'true';
      return admin.updateTenant(
        positional[0],
        await validated(UpdateTenantDto, {
          ...limits,
          is_active: active,
          nigerian_lexicon: bool(o['nigerian-lexicon'] as string | undefined),
        }),
      );
    }
    case 'keys:create':
      return admin.issueKey(positional[0], String(o.name ?? 'cli'));
    case 'keys:list':
      return admin.listKeys(positional[0]);
    case 'keys:revoke':
      return admin.revokeKey(positional[0]);
    default:
      throw new Error(`unknown command '${command}'\n\n${USAGE}`);
  }
}

const COMMANDS = [
  'tenants:create',
  'tenants:list',
  'tenants:update',
  'keys:create',
  'keys:list',
  'keys:revoke',
] as const;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return;
  }
  // Before any database is started: a typo must not cost an embedded PostgreSQL start.
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new Error(`unknown command '${command}'\n\n${USAGE}`);
  }
  const config = loadConfig();

  // The embedded PostgreSQL is a child of ours that outlives us unless we stop it: every way out
  // (a failure, a wiring error, SIGINT, SIGTERM) goes through `db.stop()`.
  const interrupted = new Promise<never>((_, reject) => {
    const onSignal = (signal: NodeJS.Signals) => reject(new Interrupted(signal));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  interrupted.catch(() => undefined); // observed by the race below

  const db = await prepareDatabase(config, () => undefined);
  let ctx: INestApplicationContext | undefined;
  try {
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({ ...dataSourceOptions(db.url), autoLoadEntities: true }),
        // The global modules the app's own root provides to the feature modules admin uses.
        RedisModule,
        MetricsModule,
        // The CLI writes and exits; the database tells the running replicas what changed.
        ChangeFeedModule.forRoot({ listen: false }),
        AdminModule,
      ],
    })
    class AdminCliModule {}

    const result = await Promise.race([
      interrupted,
      (async () => {
        // abortOnError: false, so a wiring error is thrown to us instead of aborting the process.
        ctx = await NestFactory.createApplicationContext(AdminCliModule, {
          logger: ['error'],
          abortOnError: false,
        });
        return run(ctx.get(AdminService), command, rest, values);
      })(),
    ]);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await ctx?.close().catch(() => undefined);
    await db.stop();
  }
}

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof Interrupted ? 128 + constants.signals[err.signal] : 1);
  },
);
