import { ApiProperty } from '@nestjs/swagger';
import type { MappedError } from '../common/errors/map-error';

export class ElevenLabsErrorDetail {
  @ApiProperty({
    example: 'voice_not_found',
    description: 'Our stable error code (ElevenLabs calls this field status)',
  })
  status: string;

  @ApiProperty({ example: "Voice profile 'no_such_voice' not found" })
  message: string;

  @ApiProperty({ example: '4f0c0d0e-8f7a-4a5e-9d7c-0a1b2c3d4e5f' })
  request_id: string;
}

/** ElevenLabs' error body, which its SDKs and clients read (`detail.status`, `detail.message`). */
export class ElevenLabsErrorBody {
  @ApiProperty({ type: ElevenLabsErrorDetail })
  detail: ElevenLabsErrorDetail;
}

export function elevenLabsErrorBody(mapped: MappedError, requestId: string): ElevenLabsErrorBody {
  return { detail: { status: mapped.code, message: mapped.message, request_id: requestId } };
}
