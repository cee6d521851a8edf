import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient } from './http-client';
import { summarize, type Summary } from './stats';

/**
 * What one call costs the service's CPU when many start at once: the budget that bounds first
 * audio in a burst. Rounds of `calls` one-sentence mu-law streams start together; the service's
 * threads are read from /proc before and after, so the figures are the service's own CPU time
 * (user + system), not wall time, split into its main thread (HTTP, auth, limits, scheduling,
 * moving bytes: one thread, so its work is serial) and every other thread (the engine workers,
 * V8's garbage-collection helpers, libuv). Linux only; elsewhere the stage reports no CPU.
 */
export interface BurstOptions {
  text: string;
  calls: number;
  rounds: number;
  pauseMs: number;
  /** The service process. */
  pid: number | undefined;
}

export interface BurstRound {
  admitted: number;
  /** Calls not answered 200, by reason. */
  refused: Record<string, number>;
  /** CPU time of the service's main thread over the round, ms; null when /proc is unreadable. */
  mainCpuMs: number | null;
  /** CPU time of all its other threads over the round, ms. */
  otherCpuMs: number | null;
  /** CPU time of this bench process (the client) over the round, ms: it shares the cores. */
  clientCpuMs: number;
  /** First byte of the admitted calls. */
  ttfbMs: Summary;
  wallMs: number;
}

export interface BurstResult {
  text: string;
  calls: number;
  rounds: BurstRound[];
}

/** Clock ticks per second of /proc/<pid>/task/<tid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;
/** After the last call ends, so the threads' last work (usage rows, GC) is counted. */
const SETTLE_MS = 300;

export async function measureBurst(
  client: BenchClient,
  token: string,
  options: BurstOptions,
): Promise<BurstResult> {
  const rounds: BurstRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round > 0) await sleep(options.pauseMs);
    const before = await threadCpuMs(options.pid);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    const traces = await Promise.all(
      Array.from({ length: options.calls }, () =>
        client.stream(token, { text: options.text, format: 'mulaw' }),
      ),
    );
    const wallMs = performance.now() - started;
    await sleep(SETTLE_MS);
    const after = await threadCpuMs(options.pid);
    const clientUsed = process.cpuUsage(clientBefore);
    const refused: Record<string, number> = {};
    for (const t of traces) {
      if (t.status === 200 && t.complete) continue;
      const reason = `HTTP ${t.status} ${t.errorCode ?? t.error ?? 'incomplete body'}`.trim();
      refused[reason] = (refused[reason] ?? 0) + 1;
    }
    const admitted = traces.filter((t) => t.status === 200 && t.ttfbMs !== null);
    const used = before && after ? cpuBetween(before, after, options.pid!) : null;
    rounds.push({
      admitted: admitted.length,
      refused,
      mainCpuMs: used?.main ?? null,
      otherCpuMs: used?.other ?? null,
      clientCpuMs: (clientUsed.user + clientUsed.system) / 1000,
      ttfbMs: summarize(admitted.map((t) => t.ttfbMs!)),
      wallMs,
    });
  }
  return { text: options.text, calls: options.calls, rounds };
}

/** CPU time of each thread of `pid` so far, by thread id, in ms; null when unreadable. */
async function threadCpuMs(pid: number | undefined): Promise<Map<number, number> | null> {
  if (pid === undefined) return null;
  try {
    const tids = await readdir(`/proc/${pid}/task`);
    const times = new Map<number, number>();
    for (const tid of tids) {
      try {
        const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        // Fields after the parenthesised name: utime and stime are the 14th and 15th overall.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        times.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S);
      } catch {
        // The thread ended between the listing and the read: its time is lost either way.
      }
    }
    return times;
  } catch {
    return null;
  }
}

function cpuBetween(
  before: Map<number, number>,
  after: Map<number, number>,
  pid: number,
): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === pid) main += used;
    else other += used;
  }
  return { main, other };
}
