/** The service's error body (apps/api/src/common/errors/error-body.ts). */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  request_id?: string;
  fields?: Record<string, string[]>;
  line?: number;
  column?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Partial<ErrorBody> = {},
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'cw-playground-key';

/** The key lives in this tab's session storage only: never in a URL, a cookie or local storage. */
export const keyStore = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string): void => sessionStorage.setItem(KEY_STORAGE, key),
  clear: (): void => sessionStorage.removeItem(KEY_STORAGE),
};

export class MissingKeyError extends Error {
  constructor() {
    super('Enter your API key at the top of the page first.');
  }
}

/** Calls this service (same origin only) with the key; a non-2xx answer becomes an ApiError. */
export async function apiFetch(
  path: string,
  init: RequestInit & { key?: string } = {},
): Promise<Response> {
  const key = init.key ?? keyStore.get();
  if (!key) throw new MissingKeyError();
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${key}`);
  const res = await fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw await toApiError(res);
  return res;
}

export async function apiJson<T>(
  path: string,
  init: RequestInit & { key?: string } = {},
): Promise<T> {
  return (await (await apiFetch(path, init)).json()) as T;
}

export function jsonBody(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

async function toApiError(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    return new ApiError(
      res.status,
      body.code ?? `http_${res.status}`,
      body.message ?? res.statusText,
      body,
      retryAfter,
    );
  } catch {
    return new ApiError(
      res.status,
      `http_${res.status}`,
      res.statusText || 'Request failed',
      {},
      retryAfter,
    );
  }
}

const KEY_CODES = new Set([
  'missing_authorization',
  'invalid_authorization_format',
  'invalid_api_key',
]);

/** What to tell a person about a failure, in words they can act on. */
export function describeError(err: unknown): string {
  if (err instanceof MissingKeyError) return err.message;
  if (err instanceof ApiError) {
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : '';
    if (KEY_CODES.has(err.code))
      return `Your API key was not accepted (${err.code}): ${err.message}. Check the key at the top of the page; it starts with cw_live_.`;
    if (err.code === 'tenant_inactive')
      return `This key's tenant is deactivated (${err.code}): ask your administrator.`;
    if (err.code === 'validation_failed' && err.body.fields) {
      const fields = Object.entries(err.body.fields)
        .map(([name, msgs]) => `${name}: ${msgs.join(', ')}`)
        .join('; ');
      return `${err.message} (${fields}).`;
    }
    return `${err.message} (${err.code}).${wait}`;
  }
  if (err instanceof DOMException && err.name === 'AbortError') return 'Stopped.';
  if (err instanceof TypeError) return `Could not reach the service: ${err.message}.`;
  return err instanceof Error ? err.message : String(err);
}
