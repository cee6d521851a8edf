import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { ConfigError, loadConfig, AppConfig } from '@cw/config';
import { prepareDatabase, PreparedDatabase } from '@cw/db';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { assertNoDemoKeysInProduction } from './auth/demo-keys.check';
import { shutDownGracefully } from './lifecycle/graceful-shutdown';

/** Beyond the drain: cutting, flushing usage and stopping PostgreSQL get this long. */
const HARD_STOP_MARGIN_MS = 10_000;

// Before Nest (and its logger) exists: same JSON shape as the request logs.
const bootLog = pino({ base: { context: 'Bootstrap' } });
const logLine = (message: string): void => bootLog.info(message);

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  let db: PreparedDatabase | undefined;
  // Set once the app exists; an embedded database lost before that fails the boot anyway.
  let onDatabaseLost = (): void => undefined;
  try {
    db = await prepareDatabase(config, logLine, () => onDatabaseLost());
    await assertNoDemoKeysInProduction(config, db.url);
  } catch (err) {
    await db?.stop().catch(() => undefined);
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, databaseUrl: db.url }),
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.disable('x-powered-by');
  configureApp(app);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logLine(`${signal} received: shutting down`);
    // Whatever hangs (a dependency that never answers), the process still exits.
    setTimeout(() => {
      console.error('shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdown.drainMs + HARD_STOP_MARGIN_MS).unref();
    void (async () => {
      try {
        await shutDownGracefully(app, config.shutdown.drainMs, logLine);
      } finally {
        await db.stop().catch((e: unknown) => console.error(`stopping postgres: ${String(e)}`));
        process.exit(process.exitCode ?? 0);
      }
    })();
  };
  onDatabaseLost = () => {
    // Without its database the service cannot work: stop so a supervisor restarts all of it.
    process.exitCode = 1;
    shutdown('embedded PostgreSQL lost');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen(config.port, config.host);
  logLine(`listening on http://${config.host}:${config.port}`);
}

void bootstrap();
