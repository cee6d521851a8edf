/**
 * The order in which waiting pieces of speech reach the engine: earliest deadline first, and
 * when several tenants have work that is already due, the tenant that has had the least engine
 * time goes first (weighted fair queueing on a virtual clock), so one tenant's burst cannot push
 * another tenant's first audio back.
 */
export interface QueuedPiece {
  readonly tenantId: string;
  /** When this piece's audio must start playing (ms on the scheduler's clock). */
  readonly deadline: number;
  /** Arrival order, to break deadline ties first come, first served. */
  readonly seq: number;
}

interface TenantQueue<T extends QueuedPiece> {
  /** Sorted by deadline, then arrival. */
  pieces: T[];
  /** Engine milliseconds received, divided by the tenant's weight. */
  virtualTime: number;
  weight: number;
  /** Pieces of this tenant on the engine right now. */
  running: number;
}

function before(a: QueuedPiece, b: QueuedPiece): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

export class FairDeadlineQueue<T extends QueuedPiece> {
  private readonly tenants = new Map<string, TenantQueue<T>>();
  private size = 0;

  /** `urgencyMs`: work due within this long counts as due now, and is shared fairly. */
  constructor(private readonly urgencyMs: number) {}

  get length(): number {
    return this.size;
  }

  push(piece: T, weight = 1): void {
    let tenant = this.tenants.get(piece.tenantId);
    if (!tenant) {
      tenant = { pieces: [], virtualTime: 0, weight, running: 0 };
      this.tenants.set(piece.tenantId, tenant);
    }
    if (tenant.pieces.length === 0 && tenant.running === 0) {
      // A tenant that was idle starts level with the busiest-served active tenant's floor, so
      // idle time is not banked into a later monopoly.
      tenant.virtualTime = Math.max(tenant.virtualTime, this.minActiveVirtualTime(tenant));
    }
    const { pieces } = tenant;
    let i = pieces.length;
    while (i > 0 && before(piece, pieces[i - 1])) i--;
    pieces.splice(i, 0, piece);
    this.size++;
  }

  /** Removes a piece that is still waiting (its stream was cancelled); false if it was not. */
  remove(piece: T): boolean {
    const tenant = this.tenants.get(piece.tenantId);
    const index = tenant?.pieces.indexOf(piece) ?? -1;
    if (!tenant || index < 0) return false;
    tenant.pieces.splice(index, 1);
    this.size--;
    this.forgetIfIdle(piece.tenantId, tenant);
    return true;
  }

  /** The next piece to run at time `now`, taken off the queue; undefined when empty. */
  shift(now: number): T | undefined {
    let chosen: TenantQueue<T> | undefined;
    let urgent = false;
    for (const tenant of this.tenants.values()) {
      const head = tenant.pieces[0];
      if (!head) continue;
      const headUrgent = head.deadline <= now + this.urgencyMs;
      if (!chosen) {
        chosen = tenant;
        urgent = headUrgent;
        continue;
      }
      const best = chosen.pieces[0];
      if (headUrgent && !urgent) {
        chosen = tenant;
        urgent = true;
      } else if (headUrgent && urgent) {
        // Both due: the less-served tenant first; equal service falls back to the deadline.
        if (
          tenant.virtualTime < chosen.virtualTime ||
          (tenant.virtualTime === chosen.virtualTime && before(head, best))
        ) {
          chosen = tenant;
        }
      } else if (!headUrgent && !urgent && before(head, best)) {
        chosen = tenant;
      }
    }
    if (!chosen) return undefined;
    const piece = chosen.pieces.shift()!;
    chosen.running++;
    this.size--;
    return piece;
  }

  /** A piece taken by `shift` finished after `engineMs` of engine time. */
  done(piece: T, engineMs: number): void {
    const tenant = this.tenants.get(piece.tenantId);
    if (!tenant) return;
    tenant.running = Math.max(0, tenant.running - 1);
    tenant.virtualTime += engineMs / tenant.weight;
    this.forgetIfIdle(piece.tenantId, tenant);
  }

  private minActiveVirtualTime(except: TenantQueue<T>): number {
    let min = Infinity;
    for (const tenant of this.tenants.values()) {
      if (tenant === except || (tenant.pieces.length === 0 && tenant.running === 0)) continue;
      min = Math.min(min, tenant.virtualTime);
    }
    return Number.isFinite(min) ? min : 0;
  }

  private forgetIfIdle(id: string, tenant: TenantQueue<T>): void {
    // Idle tenants are dropped so the map stays as small as the set of active tenants; a tenant
    // that returns starts at the active floor anyway.
    if (tenant.pieces.length === 0 && tenant.running === 0) this.tenants.delete(id);
  }
}
