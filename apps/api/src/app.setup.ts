import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { AppLogger } from './common/logging/app-logger';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { ErrorBody } from './common/errors/error-body';
import { compileTrustProxy } from './common/http/trust-proxy';
import { createValidationPipe } from './common/http/validation.pipe';
import { SERVICE_NAME, SERVICE_VERSION } from './common/version';
import { ShutdownService } from './lifecycle/shutdown.service';

/** Everything main.ts and the e2e tests both need on an app instance. */
export function configureApp(app: INestApplication): void {
  app.useLogger(app.get(AppLogger));
  // req.ip (logs, failed-auth limits) is the client behind trusted proxies, not the balancer.
  const config = app.get<AppConfig>(APP_CONFIG);
  (app as NestExpressApplication).set('trust proxy', compileTrustProxy(config.auth.trustProxy));
  // While draining, every answer closes its connection so keep-alive clients reconnect elsewhere.
  const shutdown = app.get(ShutdownService);
  app.use(
    (_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      if (shutdown.draining) res.setHeader('Connection', 'close');
      next();
    },
  );
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(SERVICE_NAME)
      .setDescription(
        'Multi-tenant streaming text-to-speech for AI phone agents. Authenticate with ' +
          '`Authorization: Bearer <api key>`. Every error has the body described by `ErrorBody`.',
      )
      .setVersion(SERVICE_VERSION)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Tenant API key' })
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY' }, 'admin')
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'xi-api-key',
          description: 'Tenant API key (ElevenLabs routes)',
        },
        'xi-api-key',
      )
      .addSecurityRequirements('bearer')
      .build(),
    { extraModels: [ErrorBody] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
}
