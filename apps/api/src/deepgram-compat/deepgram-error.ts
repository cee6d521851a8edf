import { Catch } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, type MappedError } from '../common/errors/all-exceptions.filter';

/** Deepgram's error body, which its SDKs and plugins read (`err_code`, `err_msg`). */
export class DeepgramErrorBody {
  @ApiProperty({ example: 'voice_not_found', description: 'Our stable error code' })
  err_code: string;

  @ApiProperty({ example: "Voice profile 'no_such_voice' not found" })
  err_msg: string;

  @ApiProperty({ example: 'a3f1c2d4e5f60718' })
  request_id: string;
}

export function deepgramErrorBody(mapped: MappedError, requestId: string): DeepgramErrorBody {
  return { err_code: mapped.code, err_msg: mapped.message, request_id: requestId };
}

/** Deepgram answers every invalid request with 400. */
export const deepgramStatus = (status: number): number => (status === 422 ? 400 : status);

/**
 * Every error of the Deepgram-compatible routes in Deepgram's shape, the global guards' included;
 * status, Retry-After, X-Request-ID, logging and the cut-off of a started stream stay ours.
 */
@Catch()
export class DeepgramErrorFilter extends AllExceptionsFilter {
  protected override respond(
    res: Response,
    mapped: MappedError,
    requestId: string,
    _req: Request,
  ): void {
    res.status(deepgramStatus(mapped.status)).json(deepgramErrorBody(mapped, requestId));
  }
}
