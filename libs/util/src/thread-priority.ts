import { readdirSync, readFileSync } from 'node:fs';

/**
 * Adds `increment` to the calling thread's nice value (Linux schedules threads one by one), the
 * way piscina's `niceIncrement` does for its pools, through the same native module. Returns
 * false when the platform or the module cannot do it; the thread then runs at its old priority.
 */
export function lowerThreadPriority(increment: number): boolean {
  if (!(increment > 0)) return false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { nice } = require('@napi-rs/nice') as { nice: (increment: number) => number };
    nice(Math.floor(increment));
    return true;
  } catch {
    return false;
  }
}

/** Each thread of this process (Linux `/proc`): its id and nice value; empty elsewhere. */
export function threadNices(): { tid: number; nice: number }[] {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return [];
  }
  const threads: { tid: number; nice: number }[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces); nice is the 19th field overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.push({ tid: Number(tid), nice: Number(fields[16]) });
    } catch {
      // The thread exited while we looked.
    }
  }
  return threads;
}
