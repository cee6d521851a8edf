import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible speech server (the shape Kokoro-FastAPI serves):
 * `POST /v1/audio/speech` with `model`, `voice`, `input`, `response_format` (`pcm`: raw s16le
 * mono at 24 kHz; `wav`: a streamed WAV header with unknown sizes, then the same samples) and
 * `speed`; `GET /v1/audio/voices` answering `{"voices": [{"id", "name"}]}`. Errors in both
 * shapes real servers use: OpenAI's `{"error": {...}}` for a bad key, FastAPI's `{"detail":
 * {...}}` for a bad voice or model. The audio is a tone whose length follows the text, sent in
 * several writes so it arrives streamed.
 */
export const FAKE_OPENAI_RATE = 24_000;
const SECONDS_PER_CHARACTER = 0.05;
const WRITE_SAMPLES = 2400;

export interface FakeSpeechRequest {
  model: string;
  voice: string;
  input: string;
  response_format: string;
  speed?: number;
  authorization?: string;
  /** What was sent back, as samples (empty when the request failed). */
  pcm: Int16Array;
}

export class FakeOpenAiSpeechServer {
  readonly requests: FakeSpeechRequest[] = [];
  voices = ['af_heart', 'af_bella', 'am_adam'];
  models = ['tts-1', 'kokoro'];
  /** Required `Authorization: Bearer` value, when set. */
  apiKey: string | undefined;
  /** The next N speech requests answer this status instead of audio. */
  private failures: { status: number; left: number } | null = null;
  /** Speech requests are accepted and never answered (a hung server). */
  hang = false;
  /** Headers go out at once; the first audio only after this many ms. */
  firstByteDelayMs = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeOpenAiSpeechServer> {
    const server = createServer();
    const fake = new FakeOpenAiSpeechServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The API base, ending in /v1. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  failNext(count: number, status: number): void {
    this.failures = { status, left: count };
  }

  reset(): void {
    this.requests.length = 0;
    this.failures = null;
    this.hang = false;
    this.firstByteDelayMs = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The samples the stand-in says for `text`: a 220 Hz tone, 50 ms per character. */
  static speak(text: string): Int16Array {
    const n = Math.round(text.length * SECONDS_PER_CHARACTER * FAKE_OPENAI_RATE);
    return Int16Array.from({ length: n }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / FAKE_OPENAI_RATE)),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    if (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return json(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
      });
    }
    if (req.method === 'GET' && req.url === '/v1/audio/voices') {
      return json(res, 200, { voices: this.voices.map((id) => ({ id, name: id })) });
    }
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
      return json(res, 404, { detail: 'Not Found' });
    }
    let parsed: Omit<FakeSpeechRequest, 'pcm' | 'authorization'>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return json(res, 422, { detail: [{ msg: 'JSON decode error' }] });
    }
    const record: FakeSpeechRequest = {
      ...parsed,
      authorization: req.headers.authorization,
      pcm: new Int16Array(0),
    };
    this.requests.push(record);
    if (this.hang) return; // never answered; the socket is destroyed by the client or stop()
    if (this.failures && this.failures.left > 0) {
      this.failures.left--;
      return json(res, this.failures.status, {
        detail: { error: 'processing_error', message: 'model crashed', type: 'server_error' },
      });
    }
    if (!this.models.includes(parsed.model)) {
      return json(res, 400, {
        detail: {
          error: 'invalid_model',
          message: `Unsupported model: ${parsed.model}`,
          type: 'invalid_request_error',
        },
      });
    }
    if (!this.voices.includes(parsed.voice)) {
      return json(res, 400, {
        detail: {
          error: 'validation_error',
          message: `Voice '${parsed.voice}' not found. Available voices: ${this.voices.join(', ')}`,
          type: 'invalid_request_error',
        },
      });
    }
    if (parsed.input.includes('[reject]')) {
      return json(res, 400, {
        detail: {
          error: 'validation_error',
          message: 'Text contains an unsupported tag',
          type: 'invalid_request_error',
        },
      });
    }
    const wav = parsed.response_format === 'wav';
    if (!wav && parsed.response_format !== 'pcm') {
      return json(res, 400, { detail: { error: 'validation_error', message: 'format' } });
    }
    const pcm = FakeOpenAiSpeechServer.speak(parsed.input);
    record.pcm = pcm;
    res.writeHead(200, {
      'content-type': wav ? 'audio/wav' : 'audio/pcm',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    if (this.firstByteDelayMs > 0) await sleep(this.firstByteDelayMs);
    if (wav) res.write(streamingWavHeader(FAKE_OPENAI_RATE));
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    for (let at = 0; at < bytes.length && !res.destroyed; at += WRITE_SAMPLES * 2) {
      // Odd split on purpose: a sample may straddle two reads.
      const end = Math.min(bytes.length, at + WRITE_SAMPLES * 2 + 1);
      res.write(bytes.subarray(at, end));
      at += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  }
}

/** RIFF header as streaming servers write it: sizes unknown (0xFFFFFFFF). */
function streamingWavHeader(rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(0xffffffff, 40);
  return h;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length });
  res.end(text);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
