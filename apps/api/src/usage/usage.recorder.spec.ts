import { Logger } from '@nestjs/common';
import { loadConfig } from '@cw/config';
import { specMetrics } from '../../../../test/helpers/metrics';
import type { MetricsService } from '../metrics/metrics.service';
import type { NewUsageEvent } from './usage-event.entity';
import { UsageRecorder } from './usage.recorder';
import type { UsageRepository } from './usage.repository';

/** The recorder's only boundary: a repository whose writes can be made to fail or to wait. */
class FakeUsageRepository {
  readonly batches: NewUsageEvent[][] = [];
  failures = 0;
  private gate?: Promise<void>;
  private openGate?: () => void;

  /** Writes wait until release() is called. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  get written(): NewUsageEvent[] {
    return this.batches.flat();
  }

  async insertEvents(events: NewUsageEvent[]): Promise<void> {
    await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connection terminated');
    }
    this.batches.push([...events]);
  }
}

const TENANT = '00000000-0000-4000-8000-000000000001';
const OTHER_TENANT = '00000000-0000-4000-8000-000000000002';

let sequence = 0;
function usageEvent(overrides: Partial<NewUsageEvent> = {}): NewUsageEvent {
  sequence++;
  return {
    tenantUuid: TENANT,
    apiKeyId: null,
    requestId: `req_${sequence}`,
    endpoint: '/v1/synthesize',
    voiceId: 'default',
    engine: 'espeak',
    characters: 10,
    audioMs: 1000,
    bytes: 44100,
    ttfbMs: 50,
    totalMs: 900,
    streaming: true,
    cached: false,
    status: 'completed',
    errorCode: null,
    createdAt: new Date(),
    ...overrides,
  };
}

function setUp(env: Record<string, string> = {}) {
  const config = loadConfig({ USAGE_FLUSH_MS: '60000', USAGE_BUFFER_MAX: '1000', ...env });
  const metrics = specMetrics(config);
  const repository = new FakeUsageRepository();
  const recorder = new UsageRecorder(repository as unknown as UsageRepository, metrics, config);
  return { recorder, repository, metrics };
}

const gauge = async (metrics: MetricsService) =>
  (await metrics.usageBuffered.get()).values[0].value;
const dropped = async (metrics: MetricsService) =>
  (await metrics.usageDropped.get()).values[0].value;

describe('UsageRecorder', () => {
  let recorders: UsageRecorder[] = [];
  const make = (env?: Record<string, string>) => {
    const made = setUp(env);
    recorders.push(made.recorder);
    return made;
  };
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    for (const recorder of recorders) await recorder.onApplicationShutdown();
    recorders = [];
    jest.restoreAllMocks();
  });

  it('keeps events in memory until a flush, and counts them in the buffered gauge', async () => {
    const { recorder, repository, metrics } = make();
    recorder.record(usageEvent());
    recorder.record(usageEvent());
    expect(repository.batches).toEqual([]);
    expect(await gauge(metrics)).toBe(2);

    await recorder.flush();
    expect(repository.batches).toHaveLength(1);
    expect(repository.written.map((e) => e.requestId)).toHaveLength(2);
    expect(await gauge(metrics)).toBe(0);
    await recorder.flush();
    expect(repository.batches).toHaveLength(1);
  });

  it('shows unwritten events of one tenant since a time, so quota checks count them', async () => {
    const { recorder } = make();
    const old = usageEvent({ createdAt: new Date('2026-01-01T00:00:00Z') });
    const recent = usageEvent({ createdAt: new Date('2026-02-02T00:00:00Z') });
    const otherTenant = usageEvent({
      tenantUuid: OTHER_TENANT,
      createdAt: new Date('2026-02-02T00:00:00Z'),
    });
    for (const e of [old, recent, otherTenant]) recorder.record(e);

    expect(recorder.pending(TENANT, new Date('2026-02-01T00:00:00Z'))).toEqual([recent]);
    expect(recorder.pending(TENANT, new Date('2025-12-01T00:00:00Z'))).toEqual([old, recent]);
    await recorder.flush();
    expect(recorder.pending(TENANT, new Date(0))).toEqual([]);
  });

  it('writes a large buffer in batches of 500, in the order recorded', async () => {
    const { recorder, repository } = make({ USAGE_BUFFER_MAX: '5000' });
    const events = Array.from({ length: 1200 }, () => usageEvent());
    for (const e of events) recorder.record(e);
    await recorder.flush();
    expect(repository.batches.map((b) => b.length)).toEqual([500, 500, 200]);
    expect(repository.written).toEqual(events);
  });

  it('keeps the events when the database refuses, and writes them on the next flush', async () => {
    const { recorder, repository, metrics } = make();
    const events = [usageEvent(), usageEvent(), usageEvent()];
    for (const e of events) recorder.record(e);
    repository.failures = 1;

    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(repository.batches).toEqual([]);
    expect(recorder.pending(TENANT, new Date(0))).toEqual(events);
    expect(await gauge(metrics)).toBe(3);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      expect.anything(),
      'usage write failed; 3 events kept for retry',
    );

    await recorder.flush();
    expect(repository.written).toEqual(events);
    expect(await gauge(metrics)).toBe(0);
  });

  it('removes only the batches that were written when a later batch fails', async () => {
    const { recorder, repository } = make({ USAGE_BUFFER_MAX: '5000' });
    const events = Array.from({ length: 700 }, () => usageEvent());
    for (const e of events) recorder.record(e);
    const insert = jest.spyOn(repository, 'insertEvents');
    insert.mockImplementationOnce(async (batch) => void repository.batches.push([...batch]));
    insert.mockRejectedValueOnce(new Error('connection terminated'));

    await recorder.flush();
    expect(repository.written).toEqual(events.slice(0, 500));
    expect(recorder.pending(TENANT, new Date(0))).toEqual(events.slice(500));

    await recorder.flush();
    expect(repository.written).toEqual(events);
  });

  it('runs one write at a time: a flush during a flush joins it', async () => {
    const { recorder, repository } = make();
    recorder.record(usageEvent());
    repository.hold();
    const insert = jest.spyOn(repository, 'insertEvents');
    const first = recorder.flush();
    const second = recorder.flush();
    expect(second).toBe(first);
    repository.release();
    await Promise.all([first, second]);
    expect(insert).toHaveBeenCalledTimes(1);
    expect(repository.written).toHaveLength(1);
  });

  it('writes events recorded while a batch is in flight right after it', async () => {
    const { recorder, repository } = make();
    const before = usageEvent();
    const during = usageEvent();
    recorder.record(before);
    repository.hold();
    const flushing = recorder.flush();
    recorder.record(during);
    repository.release();
    await flushing;
    expect(repository.written).toEqual([before, during]);
  });

  it('drops the oldest events beyond USAGE_BUFFER_MAX, and counts and logs them', async () => {
    const { recorder, repository, metrics } = make({ USAGE_BUFFER_MAX: '100' });
    const events = Array.from({ length: 105 }, () => usageEvent());
    for (const e of events) recorder.record(e);

    expect(recorder.droppedCount).toBe(5);
    expect(await dropped(metrics)).toBe(5);
    expect(await gauge(metrics)).toBe(100);
    expect(Logger.prototype.error).toHaveBeenLastCalledWith(
      'usage buffer full: dropped 1 oldest events (5 in total)',
    );
    await recorder.flush();
    expect(repository.written).toEqual(events.slice(5));
  });

  it('flushes on its own every USAGE_FLUSH_MS once started', async () => {
    const { recorder, repository } = make({ USAGE_FLUSH_MS: '50' });
    recorder.onModuleInit();
    recorder.record(usageEvent());
    const deadline = Date.now() + 2000;
    while (repository.written.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(repository.written).toHaveLength(1);
  });

  it('writes what is left at shutdown, and says so when the database is still down', async () => {
    const { recorder, repository } = make();
    recorder.onModuleInit();
    recorder.record(usageEvent());
    await recorder.onApplicationShutdown();
    expect(repository.written).toHaveLength(1);

    const down = make();
    down.recorder.record(usageEvent());
    down.repository.failures = 1;
    await down.recorder.onApplicationShutdown();
    expect(down.repository.written).toEqual([]);
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      'shutdown with 1 usage events unwritten (database unreachable)',
    );
  });
});
