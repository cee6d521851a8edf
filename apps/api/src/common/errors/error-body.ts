import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

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
