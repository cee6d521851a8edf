import { Catch } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, type MappedError } from '../common/errors/all-exceptions.filter';
import { elevenLabsErrorBody } from './elevenlabs-error-body';

/**
 * Answers every error of an ElevenLabs-compatible route in ElevenLabs' shape
 * `{"detail":{"status","message"}}`, auth and rate limits included. Status, headers
 * (Retry-After, X-Request-ID), logging and the cut-off of a started stream stay the global
 * filter's.
 */
@Catch()
export class ElevenLabsErrorFilter extends AllExceptionsFilter {
  protected override respond(
    res: Response,
    mapped: MappedError,
    requestId: string,
    _req: Request,
  ): void {
    res.status(mapped.status).json(elevenLabsErrorBody(mapped, requestId));
  }
}
