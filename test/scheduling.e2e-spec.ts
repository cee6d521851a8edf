import type { NestExpressApplication } from '@nestjs/platform-express';
import type http from 'node:http';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { type PieceReport, SpeechScheduler } from '../apps/api/src/scheduling/speech-scheduler';
import { listen, openStream } from './helpers/audio-client';
import { waitUntil, watchEngine } from './helpers/engine-watch';
import { createTenant, createTestApp, type TestTenant } from './helpers/test-app';

/** About 66 s of speech in ~40 pieces: far more than the lead. */
const LONG_TEXT = Array.from(
  { length: 10 },
  (_, i) =>
    `This is sentence number ${i + 1} of a long answer, read out slowly so that a caller can follow it. ` +
    'Please stay on the line while I look that up for you.',
).join(' ');

/** Reads a streamed response as a player would (as fast as it arrives), counting bytes. */
function readAll(res: http.IncomingMessage): { bytes: () => number; done: Promise<void> } {
  let bytes = 0;
  res.on('data', (d: Buffer) => (bytes += d.length));
  const done = new Promise<void>((resolve, reject) => {
    res.on('end', resolve);
    res.on('error', reject);
  });
  return { bytes: () => bytes, done };
}

describe('scheduling: deadlines, the lead limit and admission', () => {
  describe('pacing with the default 3 s lead', () => {
    let app: NestExpressApplication;
    let base: string;
    let tenant: TestTenant;

    beforeAll(async () => {
      app = await createTestApp({ ENGINE_POOL_SIZE: '2' });
      tenant = await createTenant(app, { max_concurrent_streams: 20 });
      base = await listen(app);
    });
    afterAll(() => app.close());
    afterEach(() => jest.restoreAllMocks());

    it('renders a live stream at most the lead ahead of playback, and a hang-up frees its work', async () => {
      const scheduler = app.get(SpeechScheduler);
      const reports: PieceReport[] = [];
      const stop = scheduler.listen({ pieceDone: (r) => reports.push(r) });
      const counts = watchEngine(app.get<TtsEngine>(TTS_ENGINE));
      try {
        const started = Date.now();
        const stream = await openStream(base, '/v1/synthesize/streaming', tenant.key, {
          text: LONG_TEXT,
          format: 'mulaw',
        });
        // The client reads everything at once: only the scheduler holds the engine back.
        const reader = readAll(stream.response);
        stream.response.resume();
        await new Promise((r) => setTimeout(r, 4000));
        const elapsedMs = Date.now() - started;
        const renderedMs = reports.reduce((ms, r) => ms + r.audioMs, 0);
        // Unpaced, all ~66 s would be rendered by now. Paced: what was played, the 3 s lead, and
        // at most one piece (a sentence, < 9 s) that was started inside the lead.
        expect(renderedMs).toBeLessThan(elapsedMs + 3000 + 9000);
        expect(counts.started).toBeLessThan(20);
        // Every later piece was queued no more than the lead ahead of its listener...
        const paced = reports.filter((r) => r.paced);
        expect(paced.length).toBeGreaterThan(0);
        for (const r of paced) expect(r.leadMs).toBeLessThanOrEqual(3000 + 5);
        // ...and the pacing really held some back (they waited until within the lead).
        expect(Math.max(...paced.map((r) => r.leadMs))).toBeGreaterThan(1000);
        expect(reader.bytes()).toBeGreaterThan(0);

        // A hang-up ends the body with an error; that is the point here.
        reader.done.catch(() => undefined);
        stream.hangUp();
        await waitUntil(() => scheduler.streams === 0);
        expect(scheduler.queueDepth).toBe(0);
        await waitUntil(() => counts.finished === counts.started);
        const afterHangUp = counts.started;
        await new Promise((r) => setTimeout(r, 500));
        expect(counts.started).toBe(afterHangUp);
      } finally {
        stop();
      }
    });
  });

  describe('admission', () => {
    let app: NestExpressApplication;
    let base: string;
    let tenant: TestTenant;

    beforeAll(async () => {
      // One worker, a tenth of it for real-time streams (the least allowed): a handful of streams
      // fill one tenant's 3/4 of that.
      app = await createTestApp({ ENGINE_POOL_SIZE: '1', SCHEDULER_TARGET_LOAD_PCT: '10' });
      tenant = await createTenant(app, { max_concurrent_streams: 200 });
      base = await listen(app);
    });
    afterAll(() => app.close());

    it('over capacity a new stream gets 503 engine_busy at once, and the admitted ones complete', async () => {
      // About 11 s of audio: paced 3 s ahead of its listener, every admitted stream is still
      // playing when the last of the calls arrives, so what is admitted is what fits at once.
      const text =
        'Thanks for holding. Your appointment is on Tuesday at half past ten. Please bring your ' +
        'insurance card and arrive fifteen minutes early. If you need to reschedule, call us back ' +
        'at any time.';
      // 150 calls at the same instant: far more than that capacity admits (8-9 of them on
      // 2026-12-01), however fast the machine renders. Sixty short calls of 4 s no longer were
      // refused on a fast machine once the resampler got cheaper: each finished, freeing its
      // share, before the last of them had arrived.
      const calls = await Promise.all(
        Array.from({ length: 150 }, async () => {
          const res = await fetch(`${base}/v1/synthesize/streaming`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${tenant.key}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ text, format: 'mulaw' }),
          });
          if (res.status !== 200) {
            return {
              status: res.status,
              retryAfter: res.headers.get('retry-after'),
              body: (await res.json()) as Record<string, unknown>,
            };
          }
          return { status: 200, bytes: (await res.arrayBuffer()).byteLength };
        }),
      );
      const admitted = calls.filter((c) => c.status === 200);
      const refused = calls.filter((c) => c.status !== 200);
      expect(admitted.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r).toMatchObject({ status: 503, body: { code: 'engine_busy' } });
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
        // Which limit refused it: a live stream is refused by one of the scheduler's three.
        expect(['first_audio_wait', 'capacity', 'tenant_share']).toContain(
          (r.body as { reason?: string }).reason,
        );
      }
      // The streams admitted all finished with their whole audio.
      const sizes = admitted.map((c) => c.bytes ?? 0);
      for (const size of sizes) expect(size).toBeGreaterThan(8000 * 3);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThan(8000 * 0.1);
      // Once they are done, a new stream is admitted again.
      await waitUntil(() => app.get(SpeechScheduler).streams === 0);
      const again = await openStream(base, '/v1/synthesize/streaming', tenant.key, {
        text,
        format: 'mulaw',
      });
      await again.rest();
    });
  });
});
