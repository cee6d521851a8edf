import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeKeepUpRule, KEEP_UP_RULE, measureCapacity, type CapacityResult } from './capacity';
import { measureEngine, type EngineResult } from './engine';
import { BenchClient, type StreamFormat } from './http-client';
import { measureLatency, type LatencyResult } from './latency';
import {
  capacityTable,
  capacityVerdict,
  latencyTable,
  MARKDOWN_END,
  MARKDOWN_START,
  renderMarkdown,
  renderText,
} from './report';
import { createBenchTenant, type RunningService, startService } from './service';
import { CAPACITY_TEXT, LONG_TEXT, SHORT_TEXT } from './texts';

/** dist/bench/run.js → the repository root. */
const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results', 'latest.json');

const WARMUP_RUNS = 3;
const TEXTS = [
  { text: SHORT_TEXT, runs: 30 },
  { text: LONG_TEXT, runs: 20 },
];
const LATENCY_FORMATS: StreamFormat[] = ['pcm', 'mulaw'];
const CAPACITY_LEVELS = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256];

interface HostInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  loadAverage: number[];
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const host = hostInfo();
  const service = await startService({
    root: ROOT,
    env: process.env,
    embeddedPgDir: './.data/bench-pg',
    startTimeoutMs: 120_000,
  });
  process.once('SIGINT', () => void service.stop().finally(() => process.exit(130)));

  const client = new BenchClient(service.baseUrl);
  let latency: LatencyResult[];
  let engine: EngineResult[];
  let capacity: CapacityResult;
  try {
    printHeader(startedAt, host, service);
    const token = await createBenchTenant(client, service.adminKey);

    progress('streaming route, one request at a time');
    latency = [];
    for (const { text, runs } of TEXTS) {
      for (const format of LATENCY_FORMATS) {
        latency.push(
          await measureLatency(client, token, { text, format, runs, warmupRuns: WARMUP_RUNS }),
        );
      }
    }

    progress('engine alone, in this process');
    engine = await measureEngine(TEXTS.map((t) => ({ ...t, warmupRuns: WARMUP_RUNS })));

    progress(`capacity: ${CAPACITY_LEVELS.join(', ')} simultaneous streams, until one fails`);
    capacity = await measureCapacity(client, token, {
      text: CAPACITY_TEXT,
      levels: CAPACITY_LEVELS,
      levelSlackMs: 3_000,
      budgetMs: 180_000,
      pauseBetweenLevelsMs: 1_000,
      rule: KEEP_UP_RULE,
    });
  } finally {
    client.close();
    await service.stop();
  }

  const loadAtEnd = os.loadavg();
  printResults(latency, engine, capacity, service, host, loadAtEnd);
  await writeResults({
    startedAt,
    durationS: (performance.now() - started) / 1000,
    host: { ...host, loadAverageAtEnd: loadAtEnd },
    service: describeService(service),
    latency,
    engine,
    capacity,
    serviceLog: service.log,
  });
}

function printHeader(startedAt: string, host: HostInfo, service: RunningService): void {
  const s = describeService(service);
  console.log(`CallWaiting TTS bench, ${startedAt}`);
  console.log(
    `Host: ${host.cpus} CPUs (${host.cpuModel}), node ${host.node}, load average ${load(host.loadAverage)} at start`,
  );
  console.log(
    `Service: ${service.baseUrl.origin}, engine ${s.engine}, ${s.enginePool}, queue ${s.engineMaxQueue}; database ${s.database}`,
  );
}

function printResults(
  latency: LatencyResult[],
  engine: EngineResult[],
  capacity: CapacityResult,
  service: RunningService,
  host: HostInfo,
  loadAtEnd: number[],
): void {
  const latencyRows = latencyTable(latency, engine);
  const capacityRows = capacityTable(capacity);
  const capacitySummary = capacityVerdict(capacity);
  const capacityText =
    `${capacity.chars} characters, ${(capacity.audioMs / 1000).toFixed(1)} s of audio per stream, ` +
    `voice default, all streams started at once; a level is cut off ` +
    `${(capacity.levelLimitMs / 1000).toFixed(1)} s after it starts.`;
  const notes = [
    'First byte: request start to the first body byte (headers go out with the first audio).',
    'Total: request start to the end of the body. Audio: from the byte count.',
    'RTF = mean total time / audio duration (lower is better); Speed = audio / mean total time.',
    '"p50 over engine": HTTP first-byte p50 minus the engine-alone first-chunk p50 for the same text.',
    `Engine alone: EspeakEngine (1 thread) in the bench process, voice preset default, no HTTP, no text`,
    `normalization or sentence splitting, no resampling or encoding. ${WARMUP_RUNS} untimed warm-up runs before each row.`,
  ];

  console.log(
    '\nStreaming route on loopback: POST /v1/synthesize/streaming, sequential, keep-alive\n',
  );
  console.log(renderText(latencyRows));
  for (const r of latency.filter((l) => l.failed > 0)) {
    console.log(
      `  ${r.failed} of ${r.runs} ${r.format} runs for ${r.chars} chars failed: ${r.failures.join('; ')}`,
    );
  }
  console.log(`\n${notes.join('\n')}`);
  console.log(`\nCapacity: ${capacityText}\n`);
  console.log(describeKeepUpRule(capacity.rule).join('\n'));
  console.log(`\n${renderText(capacityRows)}\n\n${capacitySummary}`);
  console.log(
    `\nLoad average ${load(host.loadAverage)} at start, ${load(loadAtEnd)} at end ` +
      `(${host.cpus} CPUs, shared with other work: expect noise).`,
  );
  printServiceLog(service);

  const s = describeService(service);
  console.log(`\n${MARKDOWN_START}`);
  console.log(
    `Measured on ${host.cpus} CPUs (${host.cpuModel}, shared machine), node ${host.node}, ` +
      `engine ${s.engine} with ${s.enginePool}, queue ${s.engineMaxQueue}; loopback HTTP, voice \`default\`.\n`,
  );
  console.log(renderMarkdown(latencyRows));
  console.log(`\nRTF = total time / audio duration; Speed = its inverse (× real time).\n`);
  console.log(renderMarkdown(capacityRows));
  console.log(
    `\n${capacitySummary} A stream keeps up when its first byte arrives within ` +
      `${capacity.rule.maxTtfbMs} ms, it completes, and delivery never falls more than ` +
      `${capacity.rule.jitterMs} ms behind playback that starts at the first byte ` +
      `(margin = smallest lead of delivery over playback). ${capacityText}`,
  );
  console.log(MARKDOWN_END);
}

function printServiceLog(service: RunningService): void {
  const { warnings, errors, samples } = service.log;
  console.log(`Service log (LOG_LEVEL=warn): ${warnings} warnings, ${errors} errors.`);
  for (const line of samples) console.log(`  ${line}`);
}

function describeService(service: RunningService) {
  const { engine, database } = service.config;
  return {
    engine: engine.name,
    enginePool:
      engine.poolSize === undefined
        ? `${os.availableParallelism()} threads (ENGINE_POOL_SIZE unset: one per CPU)`
        : `${engine.poolSize} threads`,
    engineMaxQueue: engine.maxQueue,
    database: database.url
      ? `DATABASE_URL ${redact(database.url)}`
      : `embedded PostgreSQL in ${database.embeddedDir}`,
  };
}

async function writeResults(results: Record<string, unknown>): Promise<void> {
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

function hostInfo(): HostInfo {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    loadAverage: os.loadavg(),
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function load(values: number[]): string {
  return values.map((v) => v.toFixed(2)).join(' ');
}

function progress(message: string): void {
  console.error(`... ${message}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
