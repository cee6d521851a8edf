import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type StreamFormat = 'pcm' | 'mulaw';

/** Bytes of audio per second: pcm is 16-bit mono at the engine's 22,050 Hz, mulaw 8-bit at 8 kHz. */
export const BYTES_PER_SECOND: Record<StreamFormat, number> = { pcm: 44_100, mulaw: 8_000 };

export interface Arrival {
  /** Since the request started, in ms. */
  atMs: number;
  /** Body bytes received so far, this arrival included. */
  bytes: number;
}

/** What one streaming request looked like from the client side. */
export interface StreamTrace {
  /** 0 when no response arrived. */
  status: number;
  /** Error code from the error body of a non-200 answer. */
  errorCode?: string;
  arrivals: Arrival[];
  bytes: number;
  /** Request start to the first body byte, in ms. */
  ttfbMs: number | null;
  /** Request start to the end of the body, in ms; null when the body did not end normally. */
  totalMs: number | null;
  /** `X-Cache` of the answer (hit or miss), when the phrase cache was asked. */
  cache?: string;
  /** The body ended normally (not truncated, aborted or failed). */
  complete: boolean;
  /** Transport failure or abort, if any. */
  error?: string;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** Plain node:http with one keep-alive agent, so the numbers carry no client-library overhead. */
export class BenchClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

  constructor(private readonly baseUrl: URL) {}

  /**
   * Send `cache: false` with every stream that does not ask for the cache, so repeated bench
   * texts measure synthesis. Off for a service that predates the phrase cache (it would refuse
   * the unknown field): see `detectPhraseCache`.
   */
  bypassCache = false;

  /** Whether the service knows the `cache` field (and so has a phrase cache to bypass). */
  async detectPhraseCache(token: string): Promise<boolean> {
    const probe = await this.json('POST', '/v1/synthesize', token, {
      text: 'Probe.',
      format: 'mulaw',
      cache: false,
    });
    return probe.status === 200;
  }

  async json(method: string, path: string, token: string, body?: unknown): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, path, token, payload), (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseJson(text) });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** GET `path`: ms from the request to the first body byte; null unless answered 200 with a body. */
  async firstByte(path: string, token: string): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(this.options('GET', path, token, undefined), (res) => {
        let first: number | null = null;
        res.once('data', () => (first = performance.now() - started));
        res.on('error', reject);
        res.on('end', () => resolve(res.statusCode === 200 ? first : null));
        res.resume();
      });
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * POST /v1/synthesize/streaming, recording when each piece of the body arrived.
   * `onFirstByte` runs once, at the first body byte of a 200 answer.
   */
  stream(
    token: string,
    request: { text: string; format: StreamFormat; voice_id?: string; cache?: boolean },
    signal?: AbortSignal,
    onFirstByte?: () => void,
  ): Promise<StreamTrace> {
    // Synthesis is what is measured: the phrase cache is bypassed unless a request asks for it.
    const payload = JSON.stringify(
      this.bypassCache && request.cache === undefined ? { ...request, cache: false } : request,
    );
    return new Promise((resolve) => {
      const trace: StreamTrace = {
        status: 0,
        arrivals: [],
        bytes: 0,
        ttfbMs: null,
        totalMs: null,
        complete: false,
      };
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        if (error) trace.error = error.message;
        resolve(trace);
      };

      const started = performance.now();
      const req = http.request(
        { ...this.options('POST', '/v1/synthesize/streaming', token, payload), signal },
        (res) => {
          trace.status = res.statusCode ?? 0;
          const cache = res.headers['x-cache'];
          if (typeof cache === 'string') trace.cache = cache;
          const errorParts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (trace.status !== 200) {
              errorParts.push(chunk);
              return;
            }
            const atMs = performance.now() - started;
            if (trace.ttfbMs === null) {
              trace.ttfbMs = atMs;
              onFirstByte?.();
            }
            trace.bytes += chunk.length;
            trace.arrivals.push({ atMs, bytes: trace.bytes });
          });
          res.on('end', () => {
            if (trace.status === 200) trace.totalMs = performance.now() - started;
          });
          res.on('error', (err) => finish(err));
          // 'close' comes last in every case; `complete` is false for a truncated chunked body.
          res.on('close', () => {
            trace.complete = trace.status === 200 && res.complete && trace.totalMs !== null;
            if (trace.status !== 200) trace.errorCode = errorCode(errorParts);
            finish();
          });
        },
      );
      req.on('error', (err) => finish(err));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private options(
    method: string,
    path: string,
    token: string,
    payload: string | undefined,
  ): http.RequestOptions {
    return {
      host: this.baseUrl.hostname,
      port: this.baseUrl.port,
      method,
      path,
      agent: this.agent,
      headers: {
        // Public routes (health) are called without a key.
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(payload === undefined
          ? {}
          : {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }),
      },
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The `code` of an error body, with its `reason` when it has one (`engine_busy first_audio_wait`):
 * a refused level then says which limit refused it.
 */
export function errorCode(parts: Buffer[]): string | undefined {
  const body = parseJson(Buffer.concat(parts).toString('utf8'));
  if (typeof body !== 'object' || body === null || !('code' in body)) return undefined;
  const reason = 'reason' in body && typeof body.reason === 'string' ? ` ${body.reason}` : '';
  return `${String(body.code)}${reason}`;
}
