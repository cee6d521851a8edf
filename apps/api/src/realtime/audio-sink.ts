import { type AudioFormat, WAV_HEADER_BYTES } from '@cw/audio';
import WebSocket from 'ws';
import { TwilioFramer, twilioClear, twilioMark, twilioMedia } from './twilio-framer';

/** Past this much unsent audio in the socket, synthesis waits for the client to read. */
export const HIGH_WATER_BYTES = 256 * 1024;

/** The socket of a session: JSON and binary frames, and its backlog for backpressure. */
export class SocketWriter {
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(private readonly ws: WebSocket) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** More audio waits in the socket than a client reading in real time should leave. */
  get backlogged(): boolean {
    return this.ws.bufferedAmount > HIGH_WATER_BYTES;
  }

  json(message: object): void {
    this.write(JSON.stringify(message), false);
  }

  binary(data: Buffer): void {
    this.write(data, true);
  }

  close(code: number, reason: string): void {
    if (this.open) this.ws.close(code, reason);
  }

  /** Resolves when everything sent so far has reached the socket, or `signal` aborts. */
  drained(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void this.lastWrite.then(done);
    });
  }

  private write(data: Buffer | string, binary: boolean): void {
    if (!this.open) return;
    this.lastWrite = new Promise((resolve) => this.ws.send(data, { binary }, () => resolve()));
  }
}

export interface SinkOutput {
  format: AudioFormat;
  sampleRate: number;
}

/**
 * Where a session's audio goes, utterance by utterance (one utterance per spoken piece). The
 * session decides what is spoken and when; the sink decides how it looks on the wire.
 */
export interface AudioSink {
  /** The output a session starts with. */
  readonly defaults: SinkOutput;
  /** True when the client may not change the output (Twilio plays 8 kHz mu-law only). */
  readonly fixedOutput: boolean;
  /** Starts an utterance; returns the format to render it in. */
  begin(format: AudioFormat): AudioFormat;
  /** Sends encoded audio of the utterance; returns the audio payload bytes (headers excluded). */
  send(audio: Buffer): number;
  /** Completes the utterance; returns the payload bytes this added (padding). */
  end(): number;
  /** Barge-in: forgets held audio and tells the player to drop what it has queued. */
  clear(): void;
}

/**
 * Binary frames of the session's format. A WAV stream has one header, at its start: later
 * utterances are rendered as bare PCM.
 */
export class RawAudioSink implements AudioSink {
  readonly defaults: SinkOutput = { format: 'pcm', sampleRate: 16000 };
  readonly fixedOutput = false;
  private wavHeaderSent = false;
  private headerPending = false;

  constructor(
    private readonly socket: SocketWriter,
    /** Counts bytes handed to the client, for usage. */
    private readonly count: (bytes: number) => void,
  ) {}

  begin(format: AudioFormat): AudioFormat {
    if (format !== 'wav') return format;
    if (this.wavHeaderSent) return 'pcm';
    this.headerPending = true;
    return 'wav';
  }

  send(audio: Buffer): number {
    const header = this.headerPending ? WAV_HEADER_BYTES : 0;
    if (this.headerPending) {
      this.headerPending = false;
      this.wavHeaderSent = true;
    }
    this.count(audio.length);
    this.socket.binary(audio);
    return audio.length - header;
  }

  end(): number {
    return 0;
  }

  clear(): void {
    // Nothing is held back: the client drops what it has itself.
  }
}

/**
 * Twilio Media Streams messages for one stream: mu-law in whole 160-byte frames as base64 `media`
 * (each message as much as the engine has produced, up to `mediaMs`), a `mark` after each
 * utterance (u1, u2, ...) and `clear` on barge-in.
 */
export class TwilioAudioSink implements AudioSink {
  readonly defaults: SinkOutput = { format: 'mulaw', sampleRate: 8000 };
  readonly fixedOutput = true;
  private readonly framer: TwilioFramer;
  private utterances = 0;

  constructor(
    private readonly socket: SocketWriter,
    private readonly count: (bytes: number) => void,
    private readonly streamSid: string,
    /** The most audio per `media` message; absent: the framer's default. */
    mediaMs?: number,
  ) {
    this.framer = new TwilioFramer(mediaMs);
  }

  begin(): AudioFormat {
    this.utterances++;
    return this.defaults.format;
  }

  send(audio: Buffer): number {
    for (const payload of this.framer.push(audio)) this.sendMedia(payload);
    return audio.length;
  }

  end(): number {
    const { frame, padding } = this.framer.end();
    if (frame) this.sendMedia(frame);
    this.socket.json(twilioMark(this.streamSid, `u${this.utterances}`));
    return padding;
  }

  clear(): void {
    this.framer.reset();
    this.socket.json(twilioClear(this.streamSid));
  }

  private sendMedia(payload: Buffer): void {
    this.count(payload.length);
    this.socket.json(twilioMedia(this.streamSid, payload));
  }
}

/** How a session's audio leaves, chosen at the upgrade (`?output=`, `&media_ms=`). */
export type RealtimeOutput =
  { kind: 'raw' } | { kind: 'twilio'; streamSid: string; mediaMs?: number };

export function createAudioSink(
  output: RealtimeOutput,
  socket: SocketWriter,
  count: (bytes: number) => void,
): AudioSink {
  switch (output.kind) {
    case 'raw':
      return new RawAudioSink(socket, count);
    case 'twilio':
      return new TwilioAudioSink(socket, count, output.streamSid, output.mediaMs);
  }
}
