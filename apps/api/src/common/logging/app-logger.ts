import type { LoggerService } from '@nestjs/common';
import type pino from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger (`new Logger('Context')` anywhere, and Nest's own messages) written as pino JSON
 * lines with a `context` field. The call forms used here:
 * `logger.warn('text')`, `logger.warn({ err, requestId }, 'text')` (the object's fields join the
 * line; an Error alone becomes `err`), and Nest's own `logger.error(message, stack, context)`.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly root: pino.Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    // Nest's Logger passes the context last; what comes between is the message's own arguments.
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, ...(rest as [string?]));
    } else if (typeof message === 'object' && message !== null) {
      this.root[level](Object.assign(fields, message), ...(rest as [string?]));
    } else if (
      // Nest's exception handlers call error(message, stack, context).
      level === 'error' &&
      rest.length === 1 &&
      typeof rest[0] === 'string' &&
      /\n\s*at /.test(rest[0])
    ) {
      const err = new Error(String(message));
      err.stack = rest[0];
      this.root.error({ ...fields, err });
    } else {
      this.root[level](fields, String(message), ...(rest as [string?]));
    }
  }
}
