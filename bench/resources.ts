import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type Summary } from './stats';

const LIVE_PATH = '/v1/health/live';
export const LIVE_INTERVAL_MS = 50;
export const RSS_INTERVAL_MS = 250;

/** What the service looked like while a measurement ran. */
export interface ResourceSample {
  /** `GET /v1/health/live`, one request at a time, one started every ~50 ms. */
  liveMs: Summary;
  /** Probes that failed or did not answer 200. */
  liveFailures: number;
  /** Peak resident set of the service process (worker threads included), in MB; null off Linux. */
  rssPeakMb: number | null;
  rssSamples: number;
}

export interface ResourceSampler {
  stop(): Promise<ResourceSample>;
}

/**
 * Polls the liveness route over its own keep-alive connection (so it never waits for a socket
 * of the streams being measured) and reads the service's VmRSS from /proc.
 */
export function sampleResources(baseUrl: URL, pid: number | undefined): ResourceSampler {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const live: number[] = [];
  let liveFailures = 0;
  let rssPeakKb: number | null = null;
  let rssSamples = 0;
  let running = true;

  const probeLoop = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await probe(baseUrl, agent);
      if (ok) live.push(performance.now() - started);
      else liveFailures += 1;
      await sleep(Math.max(0, started + LIVE_INTERVAL_MS - performance.now()));
    }
  })();

  const readRss = async (): Promise<void> => {
    if (pid === undefined) return;
    const kb = await vmRssKb(pid);
    if (kb === null) return;
    rssSamples += 1;
    rssPeakKb = Math.max(rssPeakKb ?? 0, kb);
  };
  void readRss();
  const rssTimer = setInterval(() => void readRss(), RSS_INTERVAL_MS);

  return {
    async stop() {
      running = false;
      clearInterval(rssTimer);
      await probeLoop;
      await readRss();
      agent.destroy();
      return {
        liveMs: summarize(live),
        liveFailures,
        rssPeakMb: rssPeakKb === null ? null : rssPeakKb / 1024,
        rssSamples,
      };
    },
  };
}

/** The process's current resident set from /proc/<pid>/status, in kB; null when unreadable. */
export async function vmRssKb(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The soft "Max open files" limit of a process, from /proc/<pid>/limits; null when unreadable. */
export async function openFilesLimit(pid: number): Promise<number | null> {
  try {
    const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match) return null;
    return match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    return null;
  }
}

function probe(baseUrl: URL, agent: http.Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: baseUrl.hostname, port: baseUrl.port, path: LIVE_PATH, agent, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
