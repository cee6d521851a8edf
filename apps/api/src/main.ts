import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { ConfigError, loadConfig, AppConfig } from '@cw/config';
import { prepareDatabase, PreparedDatabase } from '@cw/db';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { assertNoDemoKeysInProduction } from './auth/demo-keys.check';

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
  try {
    db = await prepareDatabase(config, logLine);
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
    void (async () => {
      try {
        await app.close();
      } finally {
        await db.stop().catch((e: unknown) => console.error(`stopping postgres: ${String(e)}`));
        process.exit(0);
      }
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen(config.port, config.host);
  logLine(`listening on http://${config.host}:${config.port}`);
}

void bootstrap();
