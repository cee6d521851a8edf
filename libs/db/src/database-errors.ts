import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';

/** The database could not be reached: refused, reset, unknown host, or no answer in time. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * pg's client with its connection failures marked as the database's. A refused or reset socket
 * carries no sign of where it came from, and S3 or XTTS raise the same codes, so the mark is made
 * here, where the connection is opened.
 */
export class DatabaseClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<Client> | void {
    if (!callback) {
      return super.connect().catch((err: unknown) => {
        throw new DatabaseUnavailableError(err);
      });
    }
    super.connect((err: Error) => callback(err ? new DatabaseUnavailableError(err) : err));
  }
}

/**
 * SQLSTATEs that say "not now" rather than "wrong query": a connection exception (class 08),
 * statement_timeout or a cancel (57014), lock_timeout (55P03), a server shutting down or starting
 * (57P01-57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '55P03', '57P01', '57P02', '57P03', '53300']);

/** What pg and pg-pool say when a connection dies, times out or cannot be had in time. */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
];

/** True when `err` means the database is down, stalled or overloaded: a 503, not a 500. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const driverError: unknown = err instanceof QueryFailedError ? err.driverError : err;
  if (!(driverError instanceof Error)) return false;
  const code = (driverError as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
    return true;
  if (UNAVAILABLE_MESSAGES.some((m) => driverError.message.startsWith(m))) return true;
  // A socket error inside a query is the database's, whatever its code.
  return err instanceof QueryFailedError && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
