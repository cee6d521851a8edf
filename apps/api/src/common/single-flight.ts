/**
 * One promise per key while it runs: callers asking for a key whose load is already running get
 * that load's answer instead of starting another (a burst of first requests makes one query).
 * A settled load is forgotten at once, so nothing here is a cache.
 */
export class SingleFlight<V> {
  private readonly running = new Map<string, Promise<V>>();

  run(key: string, load: () => Promise<V>): Promise<V> {
    let pending = this.running.get(key);
    if (!pending) {
      pending = load().finally(() => this.running.delete(key));
      this.running.set(key, pending);
    }
    return pending;
  }
}
