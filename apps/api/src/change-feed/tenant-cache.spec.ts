import type { ChangeFeedService, ChangeListener, ChangedTable } from './change-feed.service';
import { TenantCache } from './tenant-cache';

/** The part of the feed a cache uses: whether it is live, and its listeners. */
class FakeFeed {
  live = true;
  readonly counts: string[] = [];
  readonly listeners = new Map<ChangedTable, ChangeListener[]>();

  subscribe(tables: readonly ChangedTable[], listener: ChangeListener): () => void {
    for (const t of tables) this.listeners.set(t, [...(this.listeners.get(t) ?? []), listener]);
    return () => undefined;
  }

  countLookup(cache: string, result: string): void {
    this.counts.push(`${cache}:${result}`);
  }

  emit(table: ChangedTable, tenant: string | null): void {
    this.listeners.get(table)?.forEach((l) => l(tenant));
  }
}

function setup() {
  const feed = new FakeFeed();
  const cache = new TenantCache<{ n: number }>(feed as unknown as ChangeFeedService, {
    name: 'test',
    tables: ['voices'],
    max: 100,
  });
  let reads = 0;
  const load = () => Promise.resolve({ n: ++reads });
  return { feed, cache, load, reads: () => reads };
}

describe('TenantCache', () => {
  it('reads once per tenant and key, then serves the same value', async () => {
    const { feed, cache, load, reads } = setup();
    const first = await cache.get('t1', 'list', load);
    expect(await cache.get('t1', 'list', load)).toBe(first);
    expect(reads()).toBe(1);
    expect(feed.counts).toEqual(['test:miss', 'test:hit']);
    await cache.get('t2', 'list', load);
    await cache.get('t1', 'other', load);
    expect(reads()).toBe(3);
  });

  it("a change to one tenant's rows drops that tenant's entries only", async () => {
    const { feed, cache, load, reads } = setup();
    await cache.get('t1', 'list', load);
    await cache.get('t2', 'list', load);
    feed.emit('voices', 't1');
    expect((await cache.get('t1', 'list', load)).n).toBe(3);
    expect((await cache.get('t2', 'list', load)).n).toBe(2);
    expect(reads()).toBe(3);
  });

  it('a change with no tenant (built-in rows, or a lost feed) drops every entry', async () => {
    const { feed, cache, load, reads } = setup();
    await cache.get('t1', 'list', load);
    await cache.get('t2', 'list', load);
    feed.emit('voices', null);
    await cache.get('t1', 'list', load);
    await cache.get('t2', 'list', load);
    expect(reads()).toBe(4);
  });

  it('changes to tables it does not watch leave it alone', async () => {
    const { feed, cache, load, reads } = setup();
    await cache.get('t1', 'list', load);
    feed.emit('api_keys', 't1');
    await cache.get('t1', 'list', load);
    expect(reads()).toBe(1);
  });

  it('a read that was running when the change came is answered but not kept', async () => {
    const { feed, cache } = setup();
    let release!: (v: { n: number }) => void;
    const slow = cache.get('t1', 'list', () => new Promise((r) => (release = r)));
    feed.emit('voices', 't1');
    release({ n: 1 });
    expect((await slow).n).toBe(1);
    // The stale read was not stored: the next get loads again.
    expect((await cache.get('t1', 'list', () => Promise.resolve({ n: 2 }))).n).toBe(2);
  });

  it('the generation never comes back to a value an old read saw', async () => {
    const { feed, cache } = setup();
    feed.emit('voices', 't1');
    let release!: (v: { n: number }) => void;
    const slow = cache.get('t1', 'list', () => new Promise((r) => (release = r)));
    // A change to everyone after t1's own: counted as "everyone + t1's count", t1 would look
    // unchanged (1 + 0 = 0 + 1) and the stale read would be kept.
    feed.emit('voices', null);
    release({ n: 1 });
    await slow;
    expect((await cache.get('t1', 'list', () => Promise.resolve({ n: 2 }))).n).toBe(2);
  });

  it('callers asking while a read runs share it; after a change they do not', async () => {
    const { feed, cache } = setup();
    let reads = 0;
    const releases: ((v: { n: number }) => void)[] = [];
    const slowLoad = () => {
      reads++;
      return new Promise<{ n: number }>((r) => releases.push(r));
    };
    const burst = [1, 2, 3].map(() => cache.get('t1', 'list', slowLoad));
    expect(reads).toBe(1);
    // A change while that read runs: a new caller does not get the stale answer.
    feed.emit('voices', 't1');
    const after = cache.get('t1', 'list', slowLoad);
    expect(reads).toBe(2);
    releases[0]({ n: 1 });
    releases[1]({ n: 2 });
    expect((await Promise.all(burst)).map((v) => v.n)).toEqual([1, 1, 1]);
    expect((await after).n).toBe(2);
    // The fresh read was kept, the stale one was not.
    expect((await cache.get('t1', 'list', slowLoad)).n).toBe(2);
    expect(reads).toBe(2);
  });

  it('while the feed is not live nothing is cached or served from memory', async () => {
    const { feed, cache, load, reads } = setup();
    await cache.get('t1', 'list', load);
    feed.live = false;
    await cache.get('t1', 'list', load);
    await cache.get('t1', 'list', load);
    expect(reads()).toBe(3);
    expect(feed.counts.slice(-2)).toEqual(['test:bypass', 'test:bypass']);
  });

  it('a failed read is not cached', async () => {
    const { cache, load, reads } = setup();
    await expect(
      cache.get('t1', 'list', () => Promise.reject(new Error('db down'))),
    ).rejects.toThrow('db down');
    await cache.get('t1', 'list', load);
    expect(reads()).toBe(1);
  });
});
