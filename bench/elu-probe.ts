/**
 * Preloaded into the service (`node --require dist/bench/elu-probe.js ...`) by
 * `mp3-event-loop.ts`: answers each "elu" message on the IPC channel with the main thread's
 * event-loop utilization since the previous one. Touches nothing else.
 */
import { performance } from 'node:perf_hooks';

if (process.send) {
  let last = performance.eventLoopUtilization();
  process.on('message', (message) => {
    if (message !== 'elu') return;
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    process.send?.({ elu: utilization });
  });
  // The channel must not keep a service that is shutting down alive.
  process.channel?.unref();
}
