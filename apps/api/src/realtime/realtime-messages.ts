import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { jsonDepthExceeds, TOO_DEEP_MESSAGE } from '../common/http/json-depth';
import { findNulChar, nulCharMessage } from '../common/http/nul-char';
import { SpeechOptionsDto } from '../synthesis/dto/synthesize.dto';
import type { SpeechOptions } from '../synthesis/synthesis.service';
import { RealtimeErrorCode, RealtimeException } from './realtime.exception';
import { echo } from '../common/errors/echo';

/** What a session may be configured with; the same fields and rules as POST /v1/synthesize. */
export type SessionConfigInput = SpeechOptions;

export type ClientMessage =
  | { type: 'config'; config: SessionConfigInput }
  | { type: 'text'; text: string }
  | { type: 'flush' }
  | { type: 'clear' }
  | { type: 'close' };

const CONFIG_FIELDS = [
  'voice_id',
  'language',
  'format',
  'sample_rate',
  'speed',
  'pronunciation_dictionary_ids',
] as const;

/** Parses one text frame; throws RealtimeException (sent back as an error frame) when it is bad. */
export function parseClientMessage(raw: string): ClientMessage {
  // The same limits as an HTTP body: nothing recurses over a message nested without bound.
  if (jsonDepthExceeds(raw)) {
    throw new RealtimeException(RealtimeErrorCode.InvalidJson, `Message ${TOO_DEEP_MESSAGE}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new RealtimeException(RealtimeErrorCode.InvalidJson, 'Message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RealtimeException(RealtimeErrorCode.InvalidMessage, 'Message must be a JSON object');
  }
  const message = value as Record<string, unknown>;
  const nul = findNulChar(message);
  if (nul !== undefined) {
    throw new RealtimeException(RealtimeErrorCode.ValidationFailed, nulCharMessage(nul));
  }
  const type = message.type;
  if (typeof type !== 'string') {
    throw new RealtimeException(RealtimeErrorCode.InvalidMessage, 'Message needs a string "type"');
  }
  switch (type) {
    case 'config': {
      const config: SessionConfigInput = {};
      for (const field of CONFIG_FIELDS) {
        if (message[field] !== undefined && message[field] !== null) {
          (config as Record<string, unknown>)[field] = message[field];
        }
      }
      return { type, config };
    }
    case 'text':
      if (typeof message.text !== 'string') {
        throw new RealtimeException(
          RealtimeErrorCode.InvalidMessage,
          'A text message needs a string "text"',
        );
      }
      return { type, text: message.text };
    case 'flush':
    case 'clear':
    case 'close':
      return { type };
    default:
      throw new RealtimeException(
        RealtimeErrorCode.UnknownType,
        `Unknown message type '${echo(type)}'; expected config, text, flush, clear or close`,
      );
  }
}

/** Checks config fields with the HTTP API's own rules, so both APIs accept the same values. */
export async function validateConfig(config: SessionConfigInput): Promise<void> {
  const dto = plainToInstance(SpeechOptionsDto, config);
  const errors = await validate(dto);
  if (errors.length) {
    const messages = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new RealtimeException(RealtimeErrorCode.ValidationFailed, messages.join('; '));
  }
}
