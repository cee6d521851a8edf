import { ApiProperty } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { MappedError } from '../common/errors/map-error';

/** Cartesia's HTTP error object, which its SDK reports (`error.message`). */
export class CartesiaErrorBody {
  @ApiProperty({ example: 'invalid_api_key', description: 'Our stable error code' })
  error_code: string;

  @ApiProperty({ example: 'Unauthorized', description: 'HTTP reason phrase' })
  title: string;

  @ApiProperty({ example: 'Invalid API key' })
  message: string;

  @ApiProperty({ example: '4f0c0d0e-8f7a-4a5e-9d7c-0a1b2c3d4e5f' })
  request_id: string;
}

/** Cartesia answers every invalid request with 400, where we would say 422. */
export function cartesiaStatus(status: number): number {
  return status === 422 ? 400 : status;
}

export function cartesiaErrorBody(mapped: MappedError, requestId: string): CartesiaErrorBody {
  const status = cartesiaStatus(mapped.status);
  return {
    error_code: mapped.code,
    title: STATUS_CODES[status] ?? 'Error',
    message: mapped.message,
    request_id: requestId,
  };
}

/**
 * An error event on the WebSocket or SSE stream, with every field Cartesia's clients read:
 * the SDK reads `title` and `message`, LiveKit's plugin requires `error`, `done` and `context_id`.
 */
export function cartesiaErrorEvent(mapped: MappedError, requestId: string, contextId: string) {
  const body = cartesiaErrorBody(mapped, requestId);
  return {
    type: 'error' as const,
    done: true,
    status_code: cartesiaStatus(mapped.status),
    ...body,
    error: body.message,
    context_id: contextId,
  };
}
