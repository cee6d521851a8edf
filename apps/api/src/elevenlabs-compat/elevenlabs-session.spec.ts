import type { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
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
import { SocketWriter } from '../realtime/audio-sink';
import { SynthesisRunner } from '../synthesis/synthesis-runner';
import { ElevenLabsSession, SocketState, type StreamInputMode } from './elevenlabs-session';

/** The parts of a `ws` socket a session uses. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  closedWith?: { code: number; reason: string };
  readonly frames: Record<string, unknown>[] = [];

  send(data: string, _options: unknown, cb: () => void): void {
    this.frames.push(JSON.parse(data) as Record<string, unknown>);
    setImmediate(cb);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
    setImmediate(() => this.emit('close'));
  }

  message(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }

  of(contextId: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.contextId === contextId);
  }
}

const final = (contextId?: string) => ({
  isFinal: true,
  is_final: true,
  ...(contextId === undefined ? {} : { contextId }),
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ElevenLabsSession', () => {
  let engine: FakeEngine;
  let meters: FakeMeters;
  const logger = { warn: jest.fn(), error: jest.fn(), log: jest.fn() } as unknown as Logger;

  beforeEach(() => {
    engine = new FakeEngine();
    meters = new FakeMeters();
  });

  async function open(mode: StreamInputMode) {
    const synthesis = synthesisWith(engine, fakeVoices());
    const runner = new SynthesisRunner(
      synthesis,
      meters.asService(),
      new ShutdownService(),
      phraseCache({ PHRASE_CACHE_MAX_BYTES: '0' }),
    );
    const run = await runner.admit(ctx, { endpoint: `elevenlabs/${mode}`, streaming: true });
    run.openSessionStream(ctx.tenant.tenantId);
    const profile = await synthesis.resolveProfile(ctx.tenant, {
      voice_id: 'default',
      format: 'pcm',
      sample_rate: 16000,
    });
    const ws = new FakeSocket();
    const session = new ElevenLabsSession(ws as unknown as WebSocket, {
      mode,
      ctx,
      run,
      synthesis,
      profile,
      writer: new SocketWriter(ws as unknown as WebSocket),
      logger,
      inactivityTimeoutMs: 60_000,
    });
    return { ws, session };
  }

  describe('stream-input', () => {
    it('{"text":""} ends input: the rest is spoken, then isFinal, a normal close, a completed row', async () => {
      const { ws, session } = await open('single');
      ws.message({ text: ' ' });
      ws.message({ text: 'Hello there' });
      ws.message({ text: '' });
      await until(() => ws.closedWith !== undefined, 'close');
      expect(session.currentState).toBe(SocketState.Ended);
      expect(ws.closedWith).toEqual({ code: 1000, reason: 'done' });
      expect(ws.frames.filter((f) => f.audio).length).toBeGreaterThan(0);
      expect(ws.frames[ws.frames.length - 1]).toEqual(final());
      expect(ws.frames.some((f) => 'contextId' in f)).toBe(false);
      expect(meters.finished).toHaveLength(1);
      expect(meters.finished[0].status).toBe('completed');
    });
  });

  describe('multi-stream-input', () => {
    it('a keep-alive is not an end, with or without a context', async () => {
      const { ws, session } = await open('multi');
      ws.message({ text: '' });
      ws.message({ text: ' ', context_id: 'a' });
      ws.message({ text: '', context_id: 'a' });
      await session.settled();
      await tick();
      expect(session.currentState).toBe(SocketState.Open);
      expect(ws.frames).toEqual([]);
      expect(ws.closedWith).toBeUndefined();
    });

    it('close_context drops unflushed text and sends isFinal at once', async () => {
      const { ws, session } = await open('multi');
      ws.message({ text: 'Half a sentence that', context_id: 'a' });
      ws.message({ context_id: 'a', close_context: true });
      await session.settled();
      expect(ws.frames).toEqual([final('a')]);
      expect(engine.requests).toHaveLength(0);
    });

    it('close_context lets flushed text finish, then isFinal', async () => {
      const { ws } = await open('multi');
      ws.message({ text: 'Good morning. ', context_id: 'a', flush: true });
      ws.message({ context_id: 'a', close_context: true });
      await until(() => ws.frames.some((f) => f.isFinal), 'isFinal');
      const frames = ws.of('a');
      expect(frames[frames.length - 1]).toEqual(final('a'));
      expect(frames.filter((f) => f.audio).length).toBeGreaterThan(0);
      const last = frames[frames.length - 2];
      expect((last.alignment as { chars: string[] }).chars.join('')).toBe('Good morning. ');
    });

    // Each audio message goes out once the next exists (the last carries the alignment), so the
    // engine is held at its third chunk to have audio on the wire mid-piece.
    it('barge-in: a closed context is cut when another context has text to speak', async () => {
      const held = gate();
      engine.script = (text) =>
        text.startsWith('First')
          ? { chunks: 4, before: (i) => (i > 1 ? held.promise : Promise.resolve()) }
          : {};
      const { ws } = await open('multi');
      ws.message({
        text: 'First sentence is long. Second one too. ',
        context_id: 'old',
        flush: true,
      });
      await until(() => ws.of('old').some((f) => f.audio), 'first audio');
      ws.message({ context_id: 'old', close_context: true });
      await tick();
      expect(ws.of('old').some((f) => f.isFinal)).toBe(false);
      ws.message({ text: 'New answer. ', context_id: 'new', flush: true });
      await until(() => ws.of('old').some((f) => f.isFinal), 'old isFinal');
      held.open();
      ws.message({ context_id: 'new', close_context: true });
      await until(() => ws.of('new').some((f) => f.isFinal), 'new isFinal');
      const old = ws.of('old');
      expect(old[old.length - 1]).toEqual(final('old'));
      expect(engine.requests.map((r) => r.text)).not.toContain('Second one too.');
      expect(ws.of('new').filter((f) => f.audio).length).toBeGreaterThan(0);
    });

    it('an open context is not cut by another: its speech is queued behind', async () => {
      const { ws } = await open('multi');
      ws.message({ text: 'One. ', context_id: 'a', flush: true });
      ws.message({ text: 'Two. ', context_id: 'b', flush: true });
      ws.message({ close_socket: true });
      await until(() => ws.closedWith !== undefined, 'close');
      expect(ws.closedWith).toEqual({ code: 1000, reason: 'done' });
      const order = ws.frames.map((f) => f.contextId);
      expect(order.lastIndexOf('a')).toBeLessThan(order.indexOf('b'));
      expect(ws.frames.filter((f) => f.isFinal)).toHaveLength(2);
      expect(meters.finished[0].status).toBe('completed');
    });

    it('flush or close for a context never opened creates no context', async () => {
      const { ws, session } = await open('multi');
      for (let i = 0; i < 6; i++) ws.message({ context_id: `ghost${i}`, flush: true });
      ws.message({ text: '', context_id: 'ghost9', flush: true });
      ws.message({ context_id: 'ghost7', close_context: true });
      ws.message({ text: 'Real text. ', context_id: 'real', flush: true });
      await session.settled();
      await until(() => ws.of('real').some((f) => f.audio), 'audio');
      expect(ws.frames.filter((f) => f.error)).toEqual([]);
      expect(ws.frames.filter((f) => f.isFinal)).toEqual([]);
    });

    it('a client that leaves is recorded as cancelled and its speech stops', async () => {
      const held = gate();
      engine.script = () => ({
        chunks: 3,
        before: (i) => (i > 1 ? held.promise : Promise.resolve()),
      });
      const { ws, session } = await open('multi');
      ws.message({ text: 'Some words here. ', context_id: 'a', flush: true });
      await until(() => ws.frames.length > 0, 'audio');
      ws.close(1001, 'gone');
      await until(() => session.currentState === SocketState.Ended, 'end');
      held.open();
      expect(meters.finished).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    });
  });
});
