import pino from 'pino';

/**
 * Strips credentials from a URL's query (`?api_key=` and ElevenLabs' `?xi_api_key=` are accepted
 * on WebSocket upgrades).
 */
export function safeUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:xi_api_key|api_key|key|token|signature)=)[^&]*/gi, '$1[redacted]');
}

/**
 * The process's one pino logger: JSON lines to `stream` (tests capture them) or to standard output
 * written in the background. Errors under `err` get pino's standard serializer (type, message,
 * stack); nothing else is serialized, so what a line holds is what its caller chose to log.
 */
export function createRootLogger(level: string, stream?: NodeJS.WritableStream): pino.Logger {
  return pino({ level }, stream ?? asyncStdout());
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
