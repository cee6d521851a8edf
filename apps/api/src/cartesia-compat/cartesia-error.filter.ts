import { Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, type MappedError } from '../common/errors/all-exceptions.filter';
import { cartesiaErrorBody, cartesiaStatus } from './cartesia-error-body';

/**
 * Answers every error of a Cartesia-compatible route in Cartesia's shape, those of the global
 * auth and rate-limit guards included. Headers (Retry-After, X-Request-ID), logging and the
 * cut-off of a started stream stay those of the global filter.
 */
@Catch()
export class CartesiaErrorFilter extends AllExceptionsFilter {
  protected override respond(
    res: Response,
    mapped: MappedError,
    requestId: string,
    _req: Request,
  ): void {
    res.status(cartesiaStatus(mapped.status)).json(cartesiaErrorBody(mapped, requestId));
  }
}
