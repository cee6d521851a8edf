import { ElevenLabsErrorCode, ElevenLabsException } from './elevenlabs-compat.exception';

/**
 * One client message of stream-input or multi-stream-input, reduced to what we act on. Fields
 * ElevenLabs defines that we do not use (voice_settings, generation_config,
 * try_trigger_generation, pronunciation_dictionary_locators, xi_api_key, ...) and unknown ones
 * are ignored.
 */
export interface ElevenLabsClientMessage {
  text?: string;
  contextId?: string;
  flush: boolean;
  closeContext: boolean;
  closeSocket: boolean;
}

export function parseClientMessage(raw: string): ElevenLabsClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ElevenLabsException(ElevenLabsErrorCode.InvalidMessage, 'Message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ElevenLabsException(
      ElevenLabsErrorCode.InvalidMessage,
      'Message must be a JSON object',
    );
  }
  const m = value as Record<string, unknown>;
  if (m.text !== undefined && m.text !== null && typeof m.text !== 'string') {
    throw new ElevenLabsException(ElevenLabsErrorCode.InvalidMessage, '"text" must be a string');
  }
  const contextId = m.context_id ?? m.contextId;
  if (contextId !== undefined && contextId !== null && typeof contextId !== 'string') {
    throw new ElevenLabsException(
      ElevenLabsErrorCode.InvalidMessage,
      '"context_id" must be a string',
    );
  }
  return {
    text: typeof m.text === 'string' ? m.text : undefined,
    contextId: typeof contextId === 'string' ? contextId : undefined,
    flush: m.flush === true,
    closeContext: (m.close_context ?? m.closeContext) === true,
    closeSocket: (m.close_socket ?? m.closeSocket) === true,
  };
}
