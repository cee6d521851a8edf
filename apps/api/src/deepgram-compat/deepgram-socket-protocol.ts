import { echo } from '../common/errors/echo';
import type { ClientMessage } from '../realtime/realtime-messages';
import type { SessionProtocol } from '../realtime/realtime-session';
import { RealtimeErrorCode, RealtimeException } from '../realtime/realtime.exception';

/**
 * Deepgram's `/v1/speak` WebSocket messages. `Speak` text is spoken sentence by sentence as it
 * completes; `Flush` speaks the rest and is confirmed by `Flushed` once its audio is sent;
 * `Clear` is barge-in (`Cleared`); `Close` closes at once. Mistakes are `Warning` messages.
 * Each `Flushed` and `Cleared` carries its own running count (0, 1, ...) as `sequence_id`.
 */
export class DeepgramSocketProtocol implements SessionProtocol {
  private flushes = 0;
  private clears = 0;

  parse(raw: string): ClientMessage {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new RealtimeException(RealtimeErrorCode.InvalidJson, 'Message is not valid JSON');
    }
    const message =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
    switch (message.type) {
      case 'Speak':
        if (typeof message.text !== 'string') {
          throw new RealtimeException(
            RealtimeErrorCode.InvalidMessage,
            'A Speak message needs a string "text"',
          );
        }
        return { type: 'text', text: message.text };
      case 'Flush':
        return { type: 'flush' };
      case 'Clear':
        return { type: 'clear' };
      case 'Close':
        return { type: 'close' };
      default:
        throw new RealtimeException(
          RealtimeErrorCode.UnknownType,
          `Unknown message type '${echo(String(message.type))}'; expected Speak, Flush, Clear or Close`,
        );
    }
  }

  flushed(): object {
    return { type: 'Flushed', sequence_id: this.flushes++ };
  }

  cleared(): object {
    return { type: 'Cleared', sequence_id: this.clears++ };
  }

  error(code: string, message: string): object {
    return { type: 'Warning', code, description: message };
  }
}
