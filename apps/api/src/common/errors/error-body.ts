import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { BUSY_REASONS, type BusyReason } from '@cw/engines';

/** The one error body every route answers with. */
export class ErrorBody {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ example: 'Unauthorized', description: 'HTTP reason phrase' })
  error: string;

  @ApiProperty({ example: 'invalid_api_key', description: 'Stable, machine-readable error code' })
  code: string;

  @ApiProperty({ example: 'Invalid API key' })
  message: string;

  @ApiProperty({
    example: 'Invalid API key',
    description: 'Repeats `message` (older clients read it)',
  })
  detail: string;

  @ApiProperty({ example: '4f0c0d0e-8f7a-4a5e-9d7c-0a1b2c3d4e5f' })
  request_id: string;

  @ApiPropertyOptional({
    description: 'Per-field messages, for validation_failed',
    example: { text: ['text must be a string'] },
  })
  fields?: Record<string, string[]>;

  @ApiPropertyOptional({
    description:
      'For engine_busy: which limit refused the work. first_audio_wait: calls are starting faster ' +
      'than the engine can voice their first words in time (retrying after Retry-After usually ' +
      'succeeds); capacity: the real-time streams already playing use what the engine can keep ' +
      "up with; tenant_share: this tenant's streams hold the share of the engine one tenant may, " +
      "so other tenants' calls still get through; no_room: a whole-file request while live " +
      "streams fill the engine; queue_full: the engine's own queue is full.",
    enum: BUSY_REASONS,
    example: 'first_audio_wait',
  })
  reason?: BusyReason;
}

export function errorBody(
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    detail: message,
    request_id: requestId,
    ...extra,
  };
}
