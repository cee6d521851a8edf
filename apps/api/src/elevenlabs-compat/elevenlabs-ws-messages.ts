import { MAX_DICTIONARIES_PER_REQUEST } from '../pronunciation/pronunciation.service';
import { ElevenLabsErrorCode, ElevenLabsException } from './elevenlabs-compat.exception';

/**
 * One client message of stream-input or multi-stream-input, reduced to what we act on. Fields
 * ElevenLabs defines that we do not use (voice_settings, generation_config,
 * try_trigger_generation, xi_api_key, ...) and unknown ones are ignored.
 */
export interface ElevenLabsClientMessage {
  text?: string;
  contextId?: string;
  flush: boolean;
  closeContext: boolean;
  closeSocket: boolean;
  /**
   * Our dictionaries named by `pronunciation_dictionary_locators` (in order; `version_id` is
   * accepted, the current version is used); absent: not given. Only the message that opens a
   * context (stream-input's first message) may name them, as ElevenLabs has it.
   */
  dictionaryIds?: string[];
}

function invalid(message: string): ElevenLabsException {
  return new ElevenLabsException(ElevenLabsErrorCode.InvalidMessage, message);
}

/** `pronunciation_dictionary_locators` as ElevenLabs defines it: up to three `{pronunciation_dictionary_id, version_id}`. */
function dictionaryIdsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid('"pronunciation_dictionary_locators" must be an array');
  if (value.length > MAX_DICTIONARIES_PER_REQUEST) {
    throw invalid(
      `"pronunciation_dictionary_locators" may name at most ${MAX_DICTIONARIES_PER_REQUEST} dictionaries`,
    );
  }
  return value.map((locator: unknown) => {
    const id = (locator as { pronunciation_dictionary_id?: unknown } | null)
      ?.pronunciation_dictionary_id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
      throw invalid(
        'Each pronunciation dictionary locator needs "pronunciation_dictionary_id", a string of 1 to 64 characters',
      );
    }
    return id;
  });
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
    dictionaryIds: dictionaryIdsOf(m.pronunciation_dictionary_locators),
  };
}
