import type { PcmChunk } from './engine.interface';

/**
 * Small pieces every engine adapter needs when a call ends early or a server is configured:
 * one copy, so the adapters (eSpeak, festival, XTTS, OpenAI-compatible) report the same things
 * the same way.
 */

/** The error a cancelled call rejects with: the signal's own AbortError, or a new one. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('Synthesis was aborted', 'AbortError');
}

/** A stream with no audio (a text with nothing to say). */
export function noAudio(): AsyncIterable<PcmChunk> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.resolve({ value: undefined, done: true }),
    }),
  };
}

/** `value` when it is a positive finite number, else `fallback`. */
export function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * A server's base URL: http(s) only, no query or fragment, ending in `/` so paths resolve below
 * it. `what` names the setting in the message of a bad one (`XTTS server URL`).
 */
export function parseServerUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} is not a valid URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${what} must be http:// or https://, got "${parsed.protocol}"`);
  }
  parsed.search = '';
  parsed.hash = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

/**
 * A network failure in words. Node's errors carry the useful part in `code` or a nested `cause`.
 * Duck-typed: errors from node core may come from another realm (jest), where `instanceof Error`
 * is false.
 */
export function describeNetworkError(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('message' in error)) return String(error);
  const { message, code, cause } = error as { message: unknown; code?: unknown; cause?: unknown };
  const text = String(message);
  const prefix = typeof code === 'string' && !text.includes(code) ? `${code} ` : '';
  const nested =
    typeof cause === 'object' && cause !== null && 'message' in cause
      ? `: ${String(cause.message)}`
      : '';
  return `${prefix}${text}${nested}`;
}
