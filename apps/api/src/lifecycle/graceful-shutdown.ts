import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { ShutdownService } from './shutdown.service';

/** After the cut, how long runs get to notice their closed connection and write their rows. */
const CUT_GRACE_MS = 3000;

/**
 * SIGTERM, in order: readiness answers 503 and new syntheses `503 shutting_down` at once; the
 * syntheses in flight finish (WebSocket sessions speak what they received, then close 1012) for
 * up to `drainMs`; what is left is cut (connections closed, each run records itself as
 * cancelled); then the app closes, which flushes every usage row to the database.
 */
export async function shutDownGracefully(
  app: INestApplication,
  drainMs: number,
  log: (message: string) => void,
): Promise<void> {
  const shutdown = app.get(ShutdownService);
  log(`draining for up to ${drainMs} ms`);
  const { drained, left } = await shutdown.drain(drainMs);
  if (drained) {
    log('drained: every synthesis in flight finished');
  } else {
    log(`drain deadline passed: cutting ${left} syntheses`);
    shutdown.cut();
    (app.getHttpServer() as Server).closeAllConnections();
    await shutdown.idle(CUT_GRACE_MS);
  }
  await app.close();
}
