import autocannon from 'autocannon';

export interface ThroughputOptions {
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface ThroughputResult {
  /** Who was measured: "ours" or "predecessor". */
  target: string;
  url: string;
  connections: number;
  durationS: number;
  /** 2xx answers per second over the measured run (the warm-up is left out). */
  reqPerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Answers other than 2xx, and connection errors/timeouts. */
  non2xx: number;
  errors: number;
}

/** Authenticated `GET /v1/voices` with autocannon: an untimed warm-up, then the measured run. */
export async function measureThroughput(
  target: string,
  baseUrl: URL,
  token: string,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const url = new URL('/v1/voices', baseUrl).toString();
  const run = (durationS: number) =>
    autocannon({
      url,
      connections: options.connections,
      duration: durationS,
      headers: { authorization: `Bearer ${token}` },
    });
  await run(options.warmupS);
  const result = await run(options.durationS);
  return {
    target,
    url,
    connections: options.connections,
    durationS: result.duration,
    reqPerS: result['2xx'] / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
