import { WAV_HEADER_BYTES } from '@cw/audio';
import type { Tenant } from '../tenants/tenant.entity';
import { MeteredSynthesis, type MeterReading, type MeterStart } from './synthesis-meter.service';
import type { UsageStatus } from './usage-event.entity';

const start: MeterStart = {
  tenant: { id: 't-uuid', tenantId: 'acme' } as Tenant,
  apiKeyId: 'key-1',
  requestId: 'req-1',
  endpoint: 'synthesize/ws',
  streaming: true,
  characters: 5,
};

function meter() {
  const finished: Array<{ reading: MeterReading; status: UsageStatus; code: string | null }> = [];
  let released = 0;
  const m = new MeteredSynthesis(
    start,
    () => released++,
    (reading, status, code) => finished.push({ reading, status, code }),
  );
  return { m, finished, released: () => released };
}

describe('MeteredSynthesis', () => {
  it('records nothing about voice, engine or audio until the speech is described', () => {
    const { m, finished } = meter();
    m.finish('cancelled');
    expect(finished).toEqual([
      {
        status: 'cancelled',
        code: null,
        reading: expect.objectContaining({
          voiceId: null,
          engine: null,
          format: null,
          bytes: 0,
          audioMs: 0,
          ttfbMs: null,
          characters: 5,
        }),
      },
    ]);
  });

  it('measures audio in the described output, the WAV header excluded', () => {
    const { m } = meter();
    m.describe({ voiceId: 'naija_male', engine: 'espeak', format: 'wav', sampleRate: 16000 });
    m.sent(WAV_HEADER_BYTES + 32000);
    expect(m.audioMs).toBe(1000);
    const telephony = meter().m;
    telephony.describe({ voiceId: 'v', engine: 'espeak', format: 'mulaw', sampleRate: 8000 });
    telephony.sent(4000);
    expect(telephony.audioMs).toBe(500);
  });

  it('keeps the first engine that really spoke over the configured one', () => {
    const { m } = meter();
    m.describe({ voiceId: 'v', engine: 'xtts', format: 'pcm', sampleRate: 24000 });
    expect(m.reading().engine).toBe('xtts');
    m.spokeWith('espeak');
    m.spokeWith('xtts');
    expect(m.reading().engine).toBe('espeak');
  });

  it('adds characters and bytes as they come; time to first byte starts at the first real byte', async () => {
    const { m } = meter();
    m.sent(0);
    expect(m.reading().ttfbMs).toBeNull();
    m.addCharacters(10);
    const counted: Buffer[] = [];
    async function* chunks() {
      yield Buffer.alloc(3);
      yield Buffer.alloc(4);
    }
    for await (const chunk of m.count(chunks())) counted.push(chunk);
    expect(counted.map((c) => c.length)).toEqual([3, 4]);
    const reading = m.reading();
    expect(reading).toMatchObject({ characters: 15, bytes: 7, start });
    expect(reading.ttfbMs).not.toBeNull();
  });

  it('finishes exactly once: one release, one row, the first outcome wins', () => {
    const { m, finished, released } = meter();
    m.finish('failed', 'synthesis_failed');
    m.finish('completed');
    expect(released()).toBe(1);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ status: 'failed', code: 'synthesis_failed' });
  });
});
