/**
 * How much engine time a second of audio costs, learned from the pieces the engine renders, and
 * whether one more real-time stream still fits. Costs are kept per voice and format (a key the
 * caller chooses); a key not seen yet uses the average over all keys.
 *
 * The cost is engine time per second of audio, where engine time is the thread's wall-clock time
 * on the piece, so it adapts to the machine as it is: a slower CPU, or a main thread competing
 * with the workers for the same cores, shows up as a higher cost and a lower capacity. It is the
 * ratio of two exponentially weighted sums (engine time over audio time), so a long piece counts
 * for more than a short one, as it does in a stream's demand, and one slow piece moves it little.
 */
export interface CapacityOptions {
  /** Pieces the engine renders at once (its worker threads). */
  parallelism: number;
  /** Share of the engine's time that real-time streams may fill (the rest absorbs bursts). */
  utilization: number;
  /** Engine ms per audio ms assumed before anything was measured. */
  initialCost: number;
  /** Weight of the newest piece in the weighted sums, 0-1. */
  costSmoothing: number;
  /**
   * Share of the capacity one tenant's streams may hold, 0-1: the rest stays for other tenants,
   * so one tenant's burst never leaves another tenant's first call with a refusal.
   */
  tenantShare: number;
}

/** Engine and audio time, each an exponentially weighted sum over the pieces measured. */
interface CostSums {
  engineMs: number;
  audioMs: number;
}

export class CapacityEstimator {
  private readonly costs = new Map<string, CostSums>();
  private overall: CostSums | undefined;
  /** Real-time demand admitted now: the sum of the costs of the open live streams. */
  private demand = 0;
  private readonly demandByTenant = new Map<string, number>();

  constructor(private readonly options: CapacityOptions) {}

  /** Engine time available per unit of wall time for real-time streams. */
  get capacity(): number {
    return this.options.parallelism * this.options.utilization;
  }

  get load(): number {
    return this.demand;
  }

  costOf(key: string): number {
    const sums = this.costs.get(key) ?? this.overall;
    return sums ? sums.engineMs / sums.audioMs : this.options.initialCost;
  }

  /** How many more streams of this kind fit now (for logs and the bench). */
  headroom(key: string): number {
    return Math.max(0, Math.floor((this.capacity - this.demand) / this.costOf(key)));
  }

  /** Forgets what was measured (the warm-up at boot runs cold and all at once). */
  reset(): void {
    this.costs.clear();
    this.overall = undefined;
  }

  /** A piece of `audioMs` took `engineMs` of engine time. */
  observe(key: string, engineMs: number, audioMs: number): void {
    // Tiny pieces are dominated by fixed overhead and say little about the cost per second.
    if (audioMs < 200 || engineMs <= 0) return;
    const a = this.options.costSmoothing;
    const add = (sums: CostSums | undefined): CostSums =>
      sums
        ? {
            engineMs: (1 - a) * sums.engineMs + a * engineMs,
            audioMs: (1 - a) * sums.audioMs + a * audioMs,
          }
        : { engineMs, audioMs };
    this.costs.set(key, add(this.costs.get(key)));
    this.overall = add(this.overall);
  }

  /**
   * Reserves one real-time stream's demand for `tenantId`, or says why it does not fit: the
   * engine is full, or the tenant already holds its share. The returned function gives the
   * reservation back (idempotent).
   */
  reserve(key: string, tenantId: string): (() => void) | 'full' | 'tenant_share' {
    const cost = this.costOf(key);
    const own = this.demandByTenant.get(tenantId) ?? 0;
    // An idle engine always takes one stream, and a tenant with none always gets its first if
    // the engine has room: an estimate that ran high (a slow moment) can then never lock
    // everyone out, and keeps learning from the pieces rendered.
    if (this.demand > 0 && this.demand + cost > this.capacity) return 'full';
    if (own > 0 && own + cost > this.capacity * this.options.tenantShare) return 'tenant_share';
    this.demand += cost;
    this.demandByTenant.set(tenantId, own + cost);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.demand = Math.max(0, this.demand - cost);
      const left = (this.demandByTenant.get(tenantId) ?? 0) - cost;
      if (left > 1e-9) this.demandByTenant.set(tenantId, left);
      else this.demandByTenant.delete(tenantId);
    };
  }

  /** True while admitted real-time demand leaves room, for work that needs no reservation. */
  hasRoom(): boolean {
    return this.demand < this.capacity;
  }
}
