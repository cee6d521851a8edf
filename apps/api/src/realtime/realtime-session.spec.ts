import type { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { EngineError, EngineErrorCode } from '@cw/engines';
import type WebSocket from 'ws';
import {
  ctx,
  FakeEngine,
  FakeMeters,
  fakeVoices,
  gate,
  phraseCache,
  synthesisWith,
  tick,
} from '../synthesis/__tests__/fakes';
import { ShutdownService } from '../lifecycle/shutdown.service';
import { SynthesisRunner } from '../synthesis/synthesis-runner';
import { createAudioSink, HIGH_WATER_BYTES, type RealtimeOutput, SocketWriter } from './audio-sink';
import { RealtimeSession, SessionState } from './realtime-session';

interface SentFrame {
  binary: boolean;
  data: Buffer | string;
  json?: Record<string, unknown>;
}

/** The parts of a `ws` socket a session uses; writes can be held to play a slow client. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  holdWrites = false;
  closedWith?: { code: number; reason: string };
  readonly frames: SentFrame[] = [];
  private held: Array<() => void> = [];

  send(data: Buffer | string, options: { binary: boolean }, cb: () => void): void {
    const frame: SentFrame = { binary: options.binary, data };
    if (!options.binary) frame.json = JSON.parse(data as string) as Record<string, unknown>;
    this.frames.push(frame);
    if (this.holdWrites) this.held.push(cb);
    else setImmediate(cb);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
    setImmediate(() => this.emit('close'));
  }

  releaseWrites(): void {
    this.holdWrites = false;
    this.bufferedAmount = 0;
    for (const cb of this.held.splice(0)) cb();
  }

  message(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }

  index(match: (f: SentFrame) => boolean): number {
    return this.frames.findIndex(match);
  }
}

const isAudio = (f: SentFrame) => f.binary;
const ofType = (type: string) => (f: SentFrame) => f.json?.type === type;

/** Polls on every turn of the event loop; a bound in wall time, so a busy machine only slows it. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('RealtimeSession', () => {
  let engine: FakeEngine;
  let meters: FakeMeters;
  let voices: ReturnType<typeof fakeVoices>;
  const logger = { warn: jest.fn(), error: jest.fn(), log: jest.fn() } as unknown as Logger;

  beforeEach(() => {
    engine = new FakeEngine();
    meters = new FakeMeters();
    voices = fakeVoices();
  });

  async function open(output: RealtimeOutput = { kind: 'raw' }) {
    const synthesis = synthesisWith(engine, voices);
    const runner = new SynthesisRunner(
      synthesis,
      meters.asService(),
      new ShutdownService(),
      phraseCache({ PHRASE_CACHE_MAX_BYTES: '0' }),
    );
    const run = await runner.admit(ctx, { endpoint: 'synthesize/ws', streaming: true });
    const ws = new FakeSocket();
    const writer = new SocketWriter(ws as unknown as WebSocket);
    const sink = createAudioSink(output, writer, (bytes) => run.delivered(bytes));
    const session = new RealtimeSession(ws as unknown as WebSocket, {
      ctx,
      run,
      synthesis,
      writer,
      sink,
      logger,
    });
    return { ws, session };
  }

  describe('drain (server shutting down)', () => {
    it('finishes the sentence being written, speaks it, then closes with 1012 and a completed row', async () => {
      const { ws, session } = await open();
      ws.message({ type: 'text', text: 'Your order has ' });
      await session.settled();
      session.drain();
      await tick();
      // A sentence is still being written: the session waits for it.
      expect(ws.closedWith).toBeUndefined();

      ws.message({ type: 'text', text: 'shipped today. ' });
      ws.message({ type: 'flush' });
      await until(() => ws.closedWith !== undefined, 'close');
      expect(ws.closedWith?.code).toBe(1012);
      expect(engine.requests.map((r) => r.text)).toEqual(['Your order has shipped today.']);
      const lastAudio = ws.frames.map(isAudio).lastIndexOf(true);
      expect(lastAudio).toBeGreaterThan(-1);
      expect(session.currentState).toBe(SessionState.Ended);
      expect(meters.finished).toMatchObject([{ status: 'completed', errorCode: null }]);
    });

    it('an idle session closes with 1012 at once', async () => {
      const { ws, session } = await open();
      session.drain();
      await until(() => ws.closedWith !== undefined, 'close');
      expect(ws.closedWith?.code).toBe(1012);
      expect(meters.finished).toMatchObject([{ status: 'completed', errorCode: null }]);
    });

    it('shutdown at the deadline cuts the piece being spoken: 1012, cancelled', async () => {
      const held = gate();
      engine.script = () => ({
        chunks: 50,
        before: (i) => (i > 0 ? held.promise : Promise.resolve()),
      });
      const { ws, session } = await open();
      ws.message({ type: 'text', text: 'A very long answer. ' });
      await until(() => ws.frames.some(isAudio), 'first audio');
      session.drain();
      await tick();
      expect(ws.closedWith).toBeUndefined();
      session.shutdown();
      held.open();
      await until(() => ws.closedWith !== undefined, 'close');
      expect(ws.closedWith?.code).toBe(1012);
      expect(meters.finished).toMatchObject([{ status: 'cancelled', errorCode: null }]);
    });
  });

  it('holds text without a boundary until flush, then speaks it with alignment', async () => {
    const { ws, session } = await open();
    ws.message({ type: 'text', text: 'Please hold while I check' });
    await session.settled();
    await tick();
    expect(ws.frames.filter(isAudio)).toHaveLength(0);
    expect(engine.requests).toHaveLength(0);
    expect(session.currentState).toBe(SessionState.Streaming);

    ws.message({ type: 'flush' });
    await until(() => engine.pulled === 2 && ws.frames.some(isAudio), 'audio');
    expect(engine.requests.map((r) => r.text)).toEqual(['Please hold while I check']);
    const words = ws.frames
      .filter(ofType('alignment'))
      .flatMap((f) => f.json!.words as Array<{ word: string; start_ms: number }>);
    expect(words).toEqual([
      { word: 'w0', start_ms: 0, end_ms: 80 },
      { word: 'w1', start_ms: 100, end_ms: 180 },
    ]);
  });

  it('clear mid-piece: the piece stops, no audio of it follows cleared, new text speaks', async () => {
    const held = gate();
    engine.script = (text) =>
      text.startsWith('Long')
        ? { chunks: 50, before: (i) => (i > 0 ? held.promise : Promise.resolve()) }
        : {};
    const { ws, session } = await open();
    ws.message({ type: 'text', text: 'Long story that goes on and on' });
    ws.message({ type: 'flush' });
    await until(() => ws.frames.some(isAudio), 'first audio');

    ws.message({ type: 'clear' });
    await session.settled();
    const cleared = ws.index(ofType('cleared'));
    expect(cleared).toBeGreaterThan(0);
    held.open();
    for (let i = 0; i < 20; i++) await tick();
    expect(ws.frames.slice(cleared).filter(isAudio)).toHaveLength(0);
    expect(engine.pulled).toBe(1);

    ws.message({ type: 'text', text: 'Sorry, go ahead' });
    ws.message({ type: 'flush' });
    await until(() => ws.frames.slice(cleared).some(isAudio), 'audio after clear');
    expect(engine.requests.map((r) => r.text)).toEqual([
      'Long story that goes on and on',
      'Sorry, go ahead',
    ]);
  });

  it('close with text buffered: every piece is spoken, then done, then a normal close', async () => {
    const { ws, session } = await open();
    ws.message({ type: 'text', text: 'Your appointment is confirmed. ' });
    ws.message({ type: 'text', text: 'We will send a reminder the day before' });
    ws.message({ type: 'close' });
    await session.settled();
    expect([SessionState.Closing, SessionState.Ended]).toContain(session.currentState);
    await until(() => ws.closedWith !== undefined, 'close');
    expect(engine.requests.map((r) => r.text)).toEqual([
      'Your appointment is confirmed.',
      'We will send a reminder the day before',
    ]);
    expect(ws.frames[ws.frames.length - 1].json).toEqual({ type: 'done' });
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'done' });
    expect(session.currentState).toBe(SessionState.Ended);
    await tick();
    expect(meters.finished).toHaveLength(1);
    expect(meters.finished[0]).toMatchObject({ status: 'completed', errorCode: null });
    const bytes = ws.frames.filter(isAudio).reduce((n, f) => n + (f.data as Buffer).length, 0);
    expect(meters.finished[0].reading).toMatchObject({
      bytes,
      voiceId: 'default',
      engine: 'fake',
      format: 'pcm',
      characters: 'Your appointment is confirmed.We will send a reminder the day before'.length,
    });
    // The voice was loaded once for the session, not once per piece.
    expect(voices.lookups).toEqual(['default']);
  });

  it('an engine error in one piece is an error frame; the session goes on, and records the failure', async () => {
    engine.script = (text) =>
      text.includes('boom')
        ? { error: new EngineError(EngineErrorCode.Failed, 'engine crashed') }
        : {};
    const { ws, session } = await open();
    ws.message({ type: 'text', text: 'Before. ' });
    ws.message({ type: 'flush' });
    ws.message({ type: 'text', text: 'It goes boom' });
    ws.message({ type: 'flush' });
    ws.message({ type: 'text', text: 'After that' });
    ws.message({ type: 'flush' });
    await until(() => engine.requests.length === 3 && engine.pulled === 4, 'three pieces');
    const error = ws.index(ofType('error'));
    expect(ws.frames[error].json).toEqual({
      type: 'error',
      code: 'synthesis_failed',
      message: expect.any(String) as string,
    });
    await until(() => ws.frames.slice(error).some(isAudio), 'audio after the error');
    ws.message({ type: 'close' });
    await until(() => ws.closedWith !== undefined, 'close');
    await session.settled();
    expect(ws.closedWith?.code).toBe(1000);
    expect(meters.finished[0]).toMatchObject({ status: 'failed', errorCode: 'synthesis_failed' });
  });

  it('slow client: delivery and the next piece wait while the socket holds more than the high-water mark', async () => {
    engine.script = () => ({ chunks: 10 });
    const { ws } = await open();
    ws.holdWrites = true;
    ws.bufferedAmount = HIGH_WATER_BYTES + 1;
    ws.message({ type: 'text', text: 'A long answer. And a second sentence.' });
    ws.message({ type: 'flush' });
    await until(() => ws.frames.some(isAudio), 'first audio');
    for (let i = 0; i < 50; i++) await tick();
    // The scheduler drains the engine's piece into one bounded buffer (so the worker is free),
    // but nothing more goes on the wire and the next piece is not started.
    expect(ws.frames.filter(isAudio)).toHaveLength(1);
    expect(engine.requests).toHaveLength(1);

    ws.releaseWrites();
    await until(() => engine.requests.length === 2, 'the next piece');
    await until(() => ws.frames.filter(isAudio).length >= 20, 'the rest of the audio');
  });

  it('refuses config after text and anything after close, and ignores messages once ended', async () => {
    const held = gate();
    engine.script = () => ({ before: () => held.promise });
    const { ws, session } = await open();
    ws.message({ type: 'config', voice_id: 'missing' });
    await session.settled();
    expect(ws.frames.at(-1)?.json).toMatchObject({ type: 'error', code: 'voice_not_found' });
    expect(session.currentState).toBe(SessionState.Configuring);
    ws.message({ type: 'config', voice_id: 'naija_male', format: 'mulaw' });
    ws.message({ type: 'text', text: 'Hello there' });
    ws.message({ type: 'config', format: 'mp3' });
    await session.settled();
    expect(ws.frames.at(-1)?.json).toMatchObject({ type: 'error', code: 'config_after_text' });

    ws.message({ type: 'close' });
    ws.message({ type: 'text', text: 'more' });
    await session.settled();
    expect(session.currentState).toBe(SessionState.Closing);
    expect(ws.frames.at(-1)?.json).toMatchObject({ type: 'error', code: 'session_closing' });

    held.open();
    await until(() => session.currentState === SessionState.Ended, 'the end');
    const count = ws.frames.length;
    ws.message({ type: 'text', text: 'ignored' });
    await session.settled();
    expect(ws.frames).toHaveLength(count);
    expect(engine.requests.map((r) => r.voice.id)).toEqual(['naija_male']);
    expect(meters.finished[0].reading).toMatchObject({ voiceId: 'naija_male', format: 'mulaw' });
  });

  it('a socket closed by the client cancels the piece in progress and records a cancelled session', async () => {
    const held = gate();
    engine.script = () => ({
      chunks: 5,
      before: (i) => (i > 0 ? held.promise : Promise.resolve()),
    });
    const { ws, session } = await open();
    ws.message({ type: 'text', text: 'Hello there' });
    ws.message({ type: 'flush' });
    await until(() => ws.frames.some(isAudio), 'audio');
    ws.readyState = 3;
    ws.emit('close');
    held.open();
    await tick();
    expect(session.currentState).toBe(SessionState.Ended);
    expect(meters.finished).toEqual([
      expect.objectContaining({ status: 'cancelled', errorCode: null }),
    ]);
    expect(meters.released).toBe(1);
  });

  describe('Twilio output', () => {
    const streamSid = `MZ${'0'.repeat(32)}`;

    it('sends media of whole 160-byte frames, a mark per utterance, and clear before cleared', async () => {
      const held = gate();
      engine.script = (text) =>
        text.startsWith('Long')
          ? { chunks: 20, before: (i) => (i > 0 ? held.promise : Promise.resolve()) }
          : {};
      const { ws, session } = await open({ kind: 'twilio', streamSid });
      ws.message({ type: 'config', format: 'wav', sample_rate: 24000 });
      ws.message({ type: 'text', text: 'Thank you for calling' });
      ws.message({ type: 'flush' });
      await until(() => ws.frames.some((f) => f.json?.event === 'mark'), 'mark');
      expect(ws.frames.filter(isAudio)).toHaveLength(0);
      const media = ws.frames.filter((f) => f.json?.event === 'media');
      expect(media.length).toBeGreaterThan(0);
      for (const f of media) {
        expect(f.json!.streamSid).toBe(streamSid);
        const payload = (f.json!.media as { payload: string }).payload;
        const bytes = Buffer.from(payload, 'base64').length;
        expect(bytes % 160).toBe(0);
        expect(bytes).toBeLessThanOrEqual(8_000);
      }
      // The engine's chunks are longer than one frame: a message carries all a chunk completes.
      expect(media.some((f) => base64Length(f) > 160)).toBe(true);
      expect(ws.frames.find((f) => f.json?.event === 'mark')?.json).toEqual({
        event: 'mark',
        streamSid,
        mark: { name: 'u1' },
      });

      ws.message({ type: 'text', text: 'Long hold music description' });
      ws.message({ type: 'flush' });
      const from = ws.frames.length;
      await until(() => ws.frames.slice(from).some((f) => f.json?.event === 'media'), 'media');
      ws.message({ type: 'clear' });
      await session.settled();
      const cleared = ws.index(ofType('cleared'));
      expect(ws.frames[cleared - 1].json).toEqual({ event: 'clear', streamSid });
      held.open();
      for (let i = 0; i < 20; i++) await tick();
      expect(ws.frames.slice(cleared).filter((f) => f.json?.event === 'media')).toHaveLength(0);
      expect(meters.finished).toHaveLength(0);
      ws.message({ type: 'close' });
      await until(() => ws.closedWith !== undefined, 'close');
      await tick();
      expect(meters.finished[0].reading).toMatchObject({ format: 'mulaw' });
      expect(meters.finished[0].reading.audioMs).toBe(
        Math.round(meters.finished[0].reading.bytes / 8),
      );
    });

    it('with media_ms 20 sends exactly one 160-byte frame a message', async () => {
      const { ws } = await open({ kind: 'twilio', streamSid, mediaMs: 20 });
      ws.message({ type: 'text', text: 'Thank you for calling' });
      ws.message({ type: 'flush' });
      await until(() => ws.frames.some((f) => f.json?.event === 'mark'), 'mark');
      const media = ws.frames.filter((f) => f.json?.event === 'media');
      expect(media.length).toBeGreaterThan(1);
      expect(new Set(media.map(base64Length))).toEqual(new Set([160]));
    });
  });
});

function base64Length(frame: SentFrame): number {
  return Buffer.from((frame.json!.media as { payload: string }).payload, 'base64').length;
}
