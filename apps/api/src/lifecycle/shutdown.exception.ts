import { DomainException } from '../common/errors/domain.exception';

export enum LifecycleErrorCode {
  ShuttingDown = 'shutting_down',
}

/** Seconds a client should wait before retrying on another replica (or this one, restarted). */
export const SHUTTING_DOWN_RETRY_AFTER_S = 5;

/** A new synthesis while this process drains: 503, go elsewhere. */
export class ShuttingDownException extends DomainException {
  constructor() {
    super(
      LifecycleErrorCode.ShuttingDown,
      'This server is shutting down; retry the request (another replica will take it)',
      503,
      { headers: { 'Retry-After': String(SHUTTING_DOWN_RETRY_AFTER_S) } },
    );
  }
}
