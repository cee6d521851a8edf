import type { Request } from 'express';

/**
 * The route pattern a request matched (`/v1/voices/:voice_id`), once routing has run; undefined
 * before routing, for unmatched requests and for catch-all (`*`) routes. Logs and metrics label
 * requests by it, so ids in URLs never reach a label or explode its cardinality.
 */
export function routePattern(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? `${req.baseUrl}${path}` : undefined;
}
