/**
 * Base of every error we raise on purpose. `code` is stable and documented for clients; `status`
 * is the HTTP status the global filter answers with. Feature modules declare their own codes in
 * `<feature>.exception.ts`.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

/** Codes shared by every route, raised by the filter and the common layer. */
export enum CommonErrorCode {
  InvalidJson = 'invalid_json',
  ValidationFailed = 'validation_failed',
  NotFound = 'not_found',
  PayloadTooLarge = 'payload_too_large',
  RateLimited = 'rate_limit_exceeded',
  Internal = 'internal_error',
  DatabaseUnavailable = 'database_unavailable',
  BadRequest = 'bad_request',
  UnsupportedMediaType = 'unsupported_media_type',
}
