import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiResponse } from '@nestjs/swagger';

/** Every content type our audio routes answer with (PCM's carries `;rate=N`). */
export const AUDIO_CONTENT_TYPES = [
  'audio/wav',
  'audio/L16',
  'audio/basic',
  'audio/x-alaw-basic',
  'audio/mpeg',
] as const;

const AUDIO_SCHEMA = { type: 'string', format: 'binary' } as const;

/**
 * A 200 whose body is audio, documented once for the OpenAPI document: the content types it may
 * have, each a binary body. `schema: false` for routes that only name the types.
 */
export function ApiAudioResponse(
  description: string,
  types: readonly string[] = AUDIO_CONTENT_TYPES,
  options: { schema?: boolean } = {},
): MethodDecorator {
  if (options.schema === false) {
    return applyDecorators(ApiProduces(...types), ApiOkResponse({ description }));
  }
  return applyDecorators(
    ApiProduces(...types),
    ApiResponse({
      status: 200,
      description,
      content: Object.fromEntries(types.map((t) => [t, { schema: AUDIO_SCHEMA }])),
    }),
  );
}
