import { DomainException } from '../common/errors/domain.exception';

export enum PlaygroundErrorCode {
  NotBuilt = 'playground_not_built',
}

export class PlaygroundException extends DomainException {
  constructor(code: PlaygroundErrorCode, message: string) {
    super(code, message, 404);
  }
}
