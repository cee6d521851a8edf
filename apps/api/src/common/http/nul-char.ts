const NUL = '\u0000';

/**
 * Where in `value` a string (or an object key) holds U+0000, as a field path (`a.b`, `items.0`),
 * or undefined when none does. No text we keep can hold it: PostgreSQL refuses 0x00 in text, so
 * such input is refused at the edge instead of failing in a query. `value` comes from a parsed
 * body, a query or a path, whose depth the JSON parser already bounds.
 */
export function findNulChar(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path || 'value' : undefined;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes(NUL)) return path || 'field name';
    const found = findNulChar(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function nulCharMessage(field: string): string {
  return `${field.replaceAll(NUL, '\\u0000')} must not contain the NUL character (U+0000)`;
}
