import { ApiProperty } from '@nestjs/swagger';

export class OpenAiErrorDetail {
  @ApiProperty({ example: "response_format 'opus' is not supported by this service" })
  message: string;

  @ApiProperty({
    example: 'invalid_request_error',
    description:
      '`invalid_request_error` (4xx), `requests` (rate or concurrency limit), ' +
      '`insufficient_quota` (monthly quota used up), `server_error` (5xx)',
  })
  type: string;

  @ApiProperty({ example: 'response_format', nullable: true, type: String })
  param: string | null;

  @ApiProperty({
    example: 'unsupported_value',
    nullable: true,
    type: String,
    description: "OpenAI's codes for request mistakes, otherwise our stable error codes",
  })
  code: string | null;
}

/** OpenAI's error body, which its SDKs parse (`error.message`, `error.param`, ...). */
export class OpenAiErrorBody {
  @ApiProperty({ type: OpenAiErrorDetail })
  error: OpenAiErrorDetail;
}
