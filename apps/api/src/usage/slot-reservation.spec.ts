import { SlotReservation } from './slot-reservation';
import type { StreamSlot } from './stream-slots.service';

function slot() {
  const s = { releases: 0, release: () => void s.releases++ };
  return s;
}
const flush = () => new Promise((r) => setImmediate(r));

describe('SlotReservation', () => {
  it('hands its slot to the first take only, and a dropped slot after a take stays held', async () => {
    const s = slot();
    const reservation = new SlotReservation(Promise.resolve<StreamSlot>(s));
    expect(await reservation.take()).toBe(s);
    expect(await reservation.take()).toBeNull();
    reservation.drop();
    await flush();
    expect(s.releases).toBe(0);
  });

  it('releases its slot when dropped before a take, once, and gives no slot after', async () => {
    const s = slot();
    const reservation = new SlotReservation(Promise.resolve<StreamSlot>(s));
    reservation.drop();
    reservation.drop();
    await flush();
    expect(s.releases).toBe(1);
    expect(await reservation.take()).toBeNull();
  });

  it('releases a slot granted after the drop (the answer was still on its way)', async () => {
    const s = slot();
    let grant!: (v: StreamSlot) => void;
    const reservation = new SlotReservation(new Promise<StreamSlot>((r) => (grant = r)));
    reservation.drop();
    grant(s);
    await flush();
    expect(s.releases).toBe(1);
  });

  it('is no slot when refused or when asking failed', async () => {
    expect(await new SlotReservation(Promise.resolve(null)).take()).toBeNull();
    const failed = new SlotReservation(Promise.reject(new Error('redis down')));
    expect(await failed.take()).toBeNull();
    new SlotReservation(Promise.reject(new Error('redis down'))).drop();
    await flush();
  });
});
