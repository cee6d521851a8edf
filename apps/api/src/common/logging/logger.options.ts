import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { IncomingMessage } from 'node:http';
import { assignRequestId } from '../http/request-id';

/**
 * Strips credentials from a URL's query (`?api_key=` and ElevenLabs' `?xi_api_key=` are accepted
 * on WebSocket upgrades).
 */
export function safeUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:xi_api_key|api_key|key|token|signature)=)[^&]*/gi, '$1[redacted]');
}

/**
 * Structured JSON logs, one line per request. Serializers whitelist what is logged, so the
 * Authorization header, API keys and request bodies (uploaded audio) never reach a log line.
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: {
      level,
      stream: stream ?? asyncStdout(),
      genReqId: (req, res) => assignRequestId(req, res),
      // Evaluated when the line is written, after routing: the matched pattern, not the raw URL.
      customProps: (req: IncomingMessage) => {
        const r = req as {
          tenant?: { tenantId: string };
          baseUrl?: string;
          route?: { path?: string };
        };
        const path = r.route?.path;
        return {
          ...(r.tenant ? { tenant_id: r.tenant.tenantId } : {}),
          ...(path && !path.includes('*') ? { route: `${r.baseUrl ?? ''}${path}` } : {}),
        };
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: safeUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers', 'res.headers'], remove: true },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}

let stdout: pino.DestinationStream | undefined;

/**
 * Standard output written in the background: a request never waits for its log line to reach the
 * terminal or pipe (synchronous writes roughly halved the throughput of simple routes). Whatever
 * is still buffered is flushed when the process exits. One per process.
 */
function asyncStdout(): pino.DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: false });
    process.once('exit', () => destination.flushSync());
    stdout = destination;
  }
  return stdout;
}
