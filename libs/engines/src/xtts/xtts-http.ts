import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

/**
 * A small HTTP/1.1 client for one server: keep-alive connections (no handshake per sentence),
 * responses handed over as soon as their headers arrive so bodies can be streamed, and every
 * request tied to an AbortSignal that destroys its socket at once.
 */
export class XttsHttpClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly base: URL) {
    const secure = base.protocol === 'https:';
    this.transport = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true })
      : new http.Agent({ keepAlive: true });
  }

  /**
   * Resolves with the response once its headers are in; the body is left to the caller, who must
   * read it or destroy it. A kept-alive connection the server has meanwhile closed fails before
   * any response; that one case is retried once on a fresh connection.
   */
  async request(
    method: 'GET' | 'POST',
    path: string,
    init: { headers?: OutgoingHttpHeaders; body?: Buffer | string },
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    try {
      return await this.attempt(method, path, init, signal);
    } catch (error) {
      if (!(error instanceof StaleConnectionError) || signal.aborted) throw unwrap(error);
      return this.attempt(method, path, init, signal).catch((retry) => {
        throw unwrap(retry);
      });
    }
  }

  /** Closes idle connections and breaks the ones in use. */
  close(): void {
    this.agent.destroy();
  }

  private attempt(
    method: string,
    path: string,
    init: { headers?: OutgoingHttpHeaders; body?: Buffer | string },
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.transport.request(new URL(path.replace(/^\/+/, ''), this.base), {
        method,
        headers: init.headers,
        agent: this.agent,
        signal,
      });
      // Kept for the request's whole life: a socket error after the response still lands here,
      // and reaches the body reader through the response stream.
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(stale ? new StaleConnectionError(error) : error);
      });
      req.once('response', (res: IncomingMessage) => {
        // Failures reach the reader through iteration; an unread body must not crash the process.
        res.on('error', () => undefined);
        resolve(res);
      });
      req.end(init.body);
    });
  }
}

/** Reads a whole (small) body; more than `limit` bytes is an error. */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of res as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > limit) {
      res.destroy();
      throw new Error(`response body is larger than ${limit} bytes`);
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** The `detail` of a FastAPI error body, or the start of whatever text came back. */
export function describeErrorBody(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { detail?: unknown };
    if (parsed.detail !== undefined) {
      const detail =
        typeof parsed.detail === 'string' ? parsed.detail : JSON.stringify(parsed.detail);
      return detail.slice(0, 300);
    }
  } catch {
    // Not JSON: a proxy's HTML page or uvicorn's plain "Internal Server Error".
  }
  return text.slice(0, 300);
}

/** A multipart/form-data body holding one file field, as FastAPI's `UploadFile` reads it. */
export function multipartFile(
  field: string,
  filename: string,
  contentType: string,
  data: Buffer,
): { contentType: string; body: Buffer } {
  const boundary = `----cw-xtts-${randomBytes(12).toString('hex')}`;
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
    `Content-Type: ${contentType}\r\n\r\n`;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  };
}

/**
 * An AbortSignal for one call: it follows the caller's signals and also fires when the call's
 * own timer runs out. The timer can be restarted (a new phase) and stopped (while the consumer,
 * not the server, is the slow side).
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly parents: AbortSignal[];
  /** Milliseconds of the phase that ran out, once one has. */
  expiredAfterMs: number | null = null;

  constructor(parents: (AbortSignal | undefined)[], ms: number) {
    this.parents = parents.filter((p): p is AbortSignal => p !== undefined);
    for (const parent of this.parents) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener('abort', this.onParentAbort, { once: true });
    }
    this.restart(ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  restart(ms: number): void {
    this.stop();
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.expiredAfterMs = ms;
      this.controller.abort(new Error(`no answer within ${ms} ms`));
    }, ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
    for (const parent of this.parents) parent.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (event: Event): void => {
    this.stop();
    this.controller.abort((event.target as AbortSignal).reason);
  };
}

class StaleConnectionError extends Error {
  constructor(readonly original: Error) {
    super(original.message);
  }
}

function unwrap(error: unknown): unknown {
  return error instanceof StaleConnectionError ? error.original : error;
}
