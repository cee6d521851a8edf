/** Most characters of a caller's value an error message quotes back. */
export const MAX_ECHO_CHARS = 64;
/** Most characters of any error message (a backstop for messages that quote without `echo`). */
export const MAX_MESSAGE_CHARS = 1000;

/**
 * Characters that must not reach a client's terminal, log viewer or UI as themselves: C0 and C1
 * controls, Unicode format characters (bidi overrides and isolates such as U+202E, zero-width
 * joiners, the BOM) and the line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

function escapeChar(char: string): string {
  const code = char.codePointAt(0)!;
  return code > 0xffff
    ? `\\u{${code.toString(16).toUpperCase()}}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with every unsafe character written as a visible `\uXXXX` escape. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** `text` cut to `max` characters (code points), an ellipsis marking the cut. */
function cap(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A caller's value as an error message quotes it: at most MAX_ECHO_CHARS characters (the cut
 * marked with an ellipsis), unsafe characters escaped. Every message that repeats input uses it.
 */
export function echo(value: unknown): string {
  return escapeUnsafe(cap(String(value), MAX_ECHO_CHARS));
}

/**
 * Applied to every message on its way out (see mapError): unsafe characters escaped and the
 * whole capped, whatever built it (our code, Nest's router, a validator).
 */
export function safeMessage(message: string): string {
  return cap(escapeUnsafe(message), MAX_MESSAGE_CHARS);
}
