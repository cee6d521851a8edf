/**
 * How deeply arrays and objects may nest in a JSON body or WebSocket message. Our own shapes need
 * three levels; validation (class-transformer) recurses once per level, so a body nesting
 * thousands of arrays would overflow the stack long before it could be rejected.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * True when the JSON text nests arrays and objects more than `limit` deep. One pass without
 * recursion, before parsing, over UTF-8 bytes or a string: the structural characters are ASCII, so
 * they never occur inside a multi-byte character. Malformed text is left for the parser to reject.
 */
export function jsonDepthExceeds(text: Uint8Array | string, limit = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** The message a client gets for a body or message nested too deeply. */
export const TOO_DEEP_MESSAGE = `JSON nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
