import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** A running HTTP server for the app, for tests that need a real socket (streaming, disconnects). */
export async function listen(app: NestExpressApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface OpenStream {
  response: http.IncomingMessage;
  /** The first body chunk; the response is paused after it, so the server meets backpressure. */
  first: Buffer;
  /** Reads the rest and resolves with the whole body (first chunk included). */
  rest(): Promise<Buffer>;
  /** Drops the connection, as a caller hanging up would. */
  hangUp(): void;
}

/** POSTs JSON and resolves at the first body chunk. Rejects with the body on a non-200. */
export function openStream(
  base: string,
  path: string,
  key: string,
  body: object,
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        const parts: Buffer[] = [];
        response.on('data', (d: Buffer) => parts.push(d));
        response.on('end', () =>
          reject(new Error(`${response.statusCode} ${Buffer.concat(parts).toString()}`)),
        );
        return;
      }
      response.once('data', (first: Buffer) => {
        response.pause();
        resolve({
          response,
          first,
          rest: () =>
            new Promise((res, rej) => {
              const parts = [first];
              response.on('data', (d: Buffer) => parts.push(d));
              response.on('end', () => res(Buffer.concat(parts)));
              response.on('error', rej);
              response.on('aborted', () => rej(new Error('aborted')));
              response.resume();
            }),
          hangUp: () => req.destroy(),
        });
      });
    });
    req.end(JSON.stringify(body));
  });
}

/** Long enough that its audio (minutes) cannot fit in socket buffers. */
export const LONG_TEXT = Array.from(
  { length: 40 },
  (_, i) =>
    `This is sentence number ${i + 1} of a long announcement, read slowly, so that the caller can follow every word.`,
).join(' ');
