import { SetMetadata } from '@nestjs/common';
import type { StreamSlot } from './stream-slots.service';

export const RESERVES_STREAM_SLOT = 'cw:reserves-stream-slot';

/**
 * Marks an HTTP route whose every accepted request runs one synthesis: the rate-limit guard asks
 * for its concurrency slot as soon as the tenant is known, so the answer (from a parked slot, at
 * once, or from Redis, in one write with any rate-limit lease the windows need) is on its way
 * while the body is validated, instead of one more round trip at admission.
 */
export const ReservesStreamSlot = () => SetMetadata(RESERVES_STREAM_SLOT, true);

/**
 * A concurrency slot asked for before the request is known to be valid. Admission `take`s it;
 * a request that never reaches admission (invalid body, unknown voice, over its rate limit or
 * quota) `drop`s it when its response closes, so it holds the slot for microseconds to a
 * database lookup at most. A refused reservation is no refusal: admission asks again, and only
 * that answer decides.
 */
export class SlotReservation {
  private state: 'pending' | 'taken' | 'dropped' = 'pending';
  private readonly slot: Promise<StreamSlot | null>;

  constructor(slot: Promise<StreamSlot | null>) {
    // A failed request for a slot is no slot: admission asks again.
    this.slot = slot.catch(() => null);
  }

  /** The reserved slot, once: null when it was refused, dropped or taken before. */
  take(): Promise<StreamSlot | null> {
    if (this.state !== 'pending') return Promise.resolve(null);
    this.state = 'taken';
    return this.slot;
  }

  /** Frees the slot unless admission took it; later calls do nothing. */
  drop(): void {
    if (this.state !== 'pending') return;
    this.state = 'dropped';
    void this.slot.then((slot) => slot?.release());
  }
}
