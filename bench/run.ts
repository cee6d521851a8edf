import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FirstCallsResult, measureFirstCalls } from './boot';
import { type BurstResult, measureBurst } from './burst';
import {
  type CapacityResult,
  describeKeepUpRule,
  KEEP_UP_RULE,
  measureCapacity,
  referenceStream,
} from './capacity';
import { measureEngine, type EngineResult } from './engine';
import { withFrameworkFloor } from './framework-floor';
import { BenchClient, type StreamFormat } from './http-client';
import { measureLatency, type LatencyResult } from './latency';
import { measureNoisyNeighbour, type NoisyNeighbourResult } from './noisy-neighbour';
import { measurePhraseCache, type PhraseCacheResult } from './phrase-cache';
import { type BenchPlan, benchPlan } from './plan';
import {
  bootLine,
  burstTable,
  burstVerdict,
  capacityTable,
  capacityVerdict,
  firstByteTable,
  latencyTable,
  MARKDOWN_END,
  MARKDOWN_START,
  noisyTable,
  renderMarkdown,
  renderText,
  resourcesLine,
  throughputTable,
  throughputVerdict,
  twilioTable,
  twilioVerdict,
} from './report';
import { openFilesLimit, sampleResources } from './resources';
import {
  createBenchTenant,
  type RunningService,
  startService,
  systemTts,
  waitUntilReady,
} from './service';
import { BURST_TEXT, CAPACITY_TEXT, LONG_TEXT, SHORT_TEXT } from './texts';
import { measureThroughput, type ThroughputResult } from './throughput';
import {
  describeTwilioRule,
  measureTwilioCapacity,
  type TwilioCapacityResult,
} from './twilio-capacity';

/** dist/bench/run.js → the repository root. */
const ROOT = path.resolve(__dirname, '..', '..');
/**
 * The checkout whose compiled service is measured: this one, or BENCH_SERVICE_ROOT (another
 * built checkout, e.g. the previous commit, to measure before and after in the same run).
 */
const SERVICE_ROOT = process.env.BENCH_SERVICE_ROOT
  ? path.resolve(process.env.BENCH_SERVICE_ROOT)
  : ROOT;
const RESULTS_FILE = path.join(
  ROOT,
  'bench',
  'results',
  process.env.BENCH_RESULTS ?? 'latest.json',
);

const LATENCY_FORMATS: StreamFormat[] = ['pcm', 'mulaw'];
/** Per row of the sequential latency table (see LatencyCase.budgetMs). */
const LATENCY_ROW_BUDGET_MS = 30_000;
const PREDECESSOR_KEY = 'cw_demo_12345';
const PHRASE_CACHE_BENCH_BOUND = 4 * 1024 * 1024;
/** A capacity level (and tenant A's streams) is cut off this long after a lone stream's audio. */
const CAPACITY_SLACK_MS = 3_000;
/** The first-byte p95 the scheduling issue asks for at 100 streams. */
const FIRST_BYTE_TARGET_MS = 100;

/** What `BENCH_ONLY` may name, in the order a run measures them. */
const STAGES = [
  'boot',
  'latency',
  'throughput',
  'capacity',
  'burst',
  'spread',
  'noisy',
  'twilio',
  'phrase-cache',
] as const;
type Stage = (typeof STAGES)[number];

/**
 * `BENCH_ONLY=capacity,noisy`: run only these stages (to iterate on one path; a full run takes
 * about 8 minutes). Such a run prints its tables but no README block: that comes from full runs.
 */
function onlyStages(env: NodeJS.ProcessEnv): Set<Stage> | null {
  const raw = env.BENCH_ONLY?.trim();
  if (!raw) return null;
  const names = raw.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(STAGES as readonly string[]).includes(n));
  if (unknown.length) {
    throw new Error(
      `BENCH_ONLY: unknown stage ${unknown.join(', ')}; stages: ${STAGES.join(', ')}`,
    );
  }
  return new Set(names as Stage[]);
}

/** Everything measured against the service, in the order it runs. */
interface Measurements {
  firstCalls: FirstCallsResult;
  latency: LatencyResult[];
  throughput: ThroughputResult[];
  engine: EngineResult[];
  capacity: CapacityResult;
  /** The capacity test with its streams spread over several tenants. */
  spread: CapacityResult & { tenants: number };
  /** CPU per call in rounds of one-sentence calls started together. */
  burst: BurstResult;
  noisy: NoisyNeighbourResult;
  twilio: TwilioCapacityResult;
  /** Null for a service without a phrase cache (BENCH_SERVICE_ROOT at an older commit). */
  phraseCache: PhraseCacheResult | null;
  /** The service process's soft "Max open files" limit. */
  openFiles: number | null;
}

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
  const plan = benchPlan(process.env);
  const only = onlyStages(process.env);
  const service = await startService({
    root: SERVICE_ROOT,
    // A small phrase-cache bound, so the bench can fill it and report memory at the bound.
    env: { PHRASE_CACHE_MAX_BYTES: String(PHRASE_CACHE_BENCH_BOUND), ...process.env },
    embeddedPgDir: './.data/bench-pg',
    startTimeoutMs: 120_000,
  });
  process.once('SIGINT', () => void service.stop().finally(() => process.exit(130)));

  const client = new BenchClient(service.baseUrl);
  let m: Partial<Measurements>;
  try {
    m = await measureAll(plan, service, client, host, startedAt, only);
  } finally {
    client.close();
    await service.stop();
  }

  const loadAtEnd = os.loadavg();
  if (isComplete(m)) printResults(plan, m, service, host, loadAtEnd);
  else printPartial(plan, m, service);
  await writeResults({
    startedAt,
    durationS: (performance.now() - started) / 1000,
    quick: plan.quick,
    plan,
    host: { ...host, loadAverageAtEnd: loadAtEnd },
    service: describeService(service),
    ...m,
    serviceLog: service.log,
  });
}

async function measureAll(
  plan: BenchPlan,
  service: RunningService,
  client: BenchClient,
  host: HostInfo,
  startedAt: string,
  only: Set<Stage> | null,
): Promise<Partial<Measurements>> {
  const wants = (stage: Stage) => only === null || only.has(stage);
  const m: Partial<Measurements> = {};
  const readyAfterMs = await waitUntilReady(client, 120_000);
  service.systemTts = await systemTts(client);
  const openFiles = service.pid === undefined ? null : await openFilesLimit(service.pid);
  printHeader(startedAt, host, service, plan, openFiles);
  const token = await createBenchTenant(client, service.adminKey);
  // Every measurement but the phrase cache's own measures synthesis, never a cached answer.
  const hasPhraseCache = await client.detectPhraseCache(token);
  client.bypassCache = hasPhraseCache;
  const neighbourToken = await createBenchTenant(client, service.adminKey, 'Benchmark neighbour');
  const sampler = () => sampleResources(service.baseUrl, service.pid);

  m.openFiles = openFiles;
  if (wants('boot')) {
    progress(`the first ${plan.bootCalls} simultaneous calls after boot`);
    m.firstCalls = await measureFirstCalls(
      client,
      token,
      { listeningAfterMs: service.listeningAfterMs, readyAfterMs },
      { calls: plan.bootCalls, text: CAPACITY_TEXT, timeoutMs: 10_000 },
    );
    await sleep(1_000);
  }

  const texts = [
    { text: SHORT_TEXT, runs: plan.latency.shortRuns },
    { text: LONG_TEXT, runs: plan.latency.longRuns },
  ];
  if (wants('latency')) {
    progress('streaming route, one request at a time');
    const latency: LatencyResult[] = [];
    for (const { text, runs } of texts) {
      for (const format of LATENCY_FORMATS) {
        latency.push(
          await measureLatency(client, token, {
            text,
            format,
            runs,
            warmupRuns: plan.latency.warmupRuns,
            budgetMs: LATENCY_ROW_BUDGET_MS,
          }),
        );
      }
    }
    m.latency = latency;
    progress('engine alone, in this process');
    m.engine = await measureEngine(
      texts.map((t) => ({ ...t, warmupRuns: plan.latency.warmupRuns })),
    );
  }

  if (wants('throughput')) {
    progress('authenticated GET /v1/voices with autocannon');
    const throughput = [await measureThroughput('ours', service.baseUrl, token, plan.throughput)];
    const predecessor = process.env.PREDECESSOR_URL;
    if (predecessor) {
      progress(`the same against the predecessor at ${predecessor}`);
      throughput.push(
        await measureThroughput(
          'predecessor',
          new URL(predecessor),
          process.env.PREDECESSOR_KEY ?? PREDECESSOR_KEY,
          plan.throughput,
        ),
      );
    }
    progress('the same route on a bare NestJS app (the framework floor)');
    throughput.push(
      await withFrameworkFloor(client, token, (floorUrl) =>
        measureThroughput('nest floor', floorUrl, token, plan.throughput),
      ),
    );
    m.throughput = throughput;
  }

  // What the one-tenant and the four-tenant capacity runs share: text, pace, rule, readings.
  const capacityRun = {
    text: CAPACITY_TEXT,
    levelSlackMs: CAPACITY_SLACK_MS,
    pauseBetweenLevelsMs: 1_000,
    rule: KEEP_UP_RULE,
    sampleResources: sampler,
  };
  if (wants('capacity')) {
    progress(`capacity: ${plan.capacityLevels.join(', ')} simultaneous streams, until one fails`);
    m.capacity = await measureCapacity(client, token, {
      ...capacityRun,
      levels: plan.capacityLevels,
      // The issue's fixed-load figures (first byte, liveness and RSS at 200 streams).
      referenceLevels: [200],
      budgetMs: plan.capacityBudgetMs,
    });
    await sleep(1_000);
  }

  if (wants('burst')) {
    const { calls, rounds } = plan.burst;
    progress(`CPU per call: ${rounds} rounds of ${calls} one-sentence calls started together`);
    m.burst = await measureBurst(client, token, {
      text: BURST_TEXT,
      calls,
      rounds,
      pauseMs: 1_000,
      pid: service.pid,
    });
    await sleep(1_000);
  }

  if (wants('spread')) {
    const { tenants, levels, budgetMs } = plan.spread;
    progress(`capacity over ${tenants} tenants: ${levels.join(', ')} streams, until one fails`);
    const tokens = [token];
    for (let i = 1; i < tenants; i++) {
      tokens.push(await createBenchTenant(client, service.adminKey, `Spread ${i}`));
    }
    m.spread = {
      tenants,
      ...(await measureCapacity(client, tokens, { ...capacityRun, levels, budgetMs })),
    };
    await sleep(1_000);
  }

  if (wants('noisy')) {
    // Tenant A's streams are judged against a lone stream of theirs, as the capacity levels are.
    const reference =
      m.capacity ?? (await referenceStream(client, token, CAPACITY_TEXT, CAPACITY_SLACK_MS));
    progress(
      `noisy neighbour: ${plan.noisy.aStreams} long streams of tenant A, ` +
        `${plan.noisy.bRequests} short requests of tenant B`,
    );
    m.noisy = await measureNoisyNeighbour(
      client,
      { a: token, b: neighbourToken },
      {
        aStreams: plan.noisy.aStreams,
        aText: CAPACITY_TEXT,
        aReferenceBytes: reference.referenceBytes,
        aLimitMs: reference.levelLimitMs,
        bDelayMs: plan.noisy.bDelayMs,
        bRequests: plan.noisy.bRequests,
        bSpacingMs: plan.noisy.bSpacingMs,
        bText: SHORT_TEXT,
        rule: KEEP_UP_RULE,
      },
    );
    await sleep(1_000);
  }

  if (wants('twilio')) {
    progress(
      `Twilio WebSocket capacity: ${plan.twilioLevels.join(', ')} sessions, until one fails`,
    );
    m.twilio = await measureTwilioCapacity(service.baseUrl, token, {
      text: CAPACITY_TEXT,
      wordIntervalMs: 50,
      levels: plan.twilioLevels,
      levelSlackMs: 5_000,
      budgetMs: plan.twilioBudgetMs,
      pauseBetweenLevelsMs: 1_000,
      rule: KEEP_UP_RULE,
      sampleResources: sampler,
      // BENCH_TWILIO_MEDIA_MS=20: one 20 ms frame per media message, to compare with the default.
      mediaMs: process.env.BENCH_TWILIO_MEDIA_MS
        ? Number(process.env.BENCH_TWILIO_MEDIA_MS)
        : undefined,
    });
  }

  if (wants('phrase-cache')) m.phraseCache = null;
  if (wants('phrase-cache') && hasPhraseCache) {
    await sleep(1_000);
    progress('phrase cache: hit against miss, a replay of repeated prompts, memory at the bound');
    // The bare NestJS app again: the same client's first byte from it bounds what a hit can reach.
    m.phraseCache = await withFrameworkFloor(client, token, (floorUrl) =>
      measurePhraseCache(
        client,
        token,
        {
          baseUrl: service.baseUrl,
          adminKey: service.adminKey,
          pid: service.pid,
          boundBytes: service.config.phraseCache.maxBytes,
        },
        { ...plan.phraseCache, fillText: CAPACITY_TEXT, floorUrl },
      ),
    );
  }

  return m;
}

/** CPU per call, against the issue's first-byte target (p95 <= 100 ms at 100 streams). */
function burstSummary(burst: BurstResult, plan: BenchPlan): string {
  const at = plan.firstByteAt.includes(100) ? 100 : plan.burst.calls;
  return burstVerdict(burst, at, os.availableParallelism(), FIRST_BYTE_TARGET_MS);
}

/** The capacity verdict for streams spread over tenants, saying why it is measured. */
function spreadVerdict(spread: Measurements['spread']): string {
  return (
    `${capacityVerdict(spread, `Over ${spread.tenants} tenants`)} The same streams and rule, ` +
    `stream i from tenant i mod ${spread.tenants}: one tenant may hold only 3/4 of the admitted ` +
    `capacity, so the single-tenant figure above measures that share, this one the service.`
  );
}

/** Every stage ran (no BENCH_ONLY): the full report and the README block can be printed. */
function isComplete(m: Partial<Measurements>): m is Measurements {
  return (
    m.firstCalls !== undefined &&
    m.latency !== undefined &&
    m.engine !== undefined &&
    m.throughput !== undefined &&
    m.capacity !== undefined &&
    m.spread !== undefined &&
    m.burst !== undefined &&
    m.noisy !== undefined &&
    m.twilio !== undefined &&
    m.phraseCache !== undefined &&
    m.openFiles !== undefined
  );
}

/** The tables of the stages a BENCH_ONLY run measured; no README block. */
function printPartial(plan: BenchPlan, m: Partial<Measurements>, service: RunningService): void {
  if (m.firstCalls) console.log(`\n${bootLine(m.firstCalls)}`);
  if (m.latency && m.engine) console.log(`\n${renderText(latencyTable(m.latency, m.engine))}`);
  if (m.throughput) {
    console.log(`\n${renderText(throughputTable(m.throughput))}`);
    console.log(`\n${throughputVerdict(m.throughput)}`);
  }
  if (m.capacity) {
    console.log(`\n${renderText(capacityTable(m.capacity))}\n\n${capacityVerdict(m.capacity)}`);
    console.log(`\n${renderText(firstByteTable(m.capacity, plan.firstByteAt))}`);
    console.log(`\n${resourcesLine(m.capacity, plan.resourcesAt)}`);
  }
  if (m.burst) {
    console.log(`\n${renderText(burstTable(m.burst))}\n\n${burstSummary(m.burst, plan)}`);
  }
  if (m.spread) {
    console.log(`\n${renderText(capacityTable(m.spread))}\n\n${spreadVerdict(m.spread)}`);
  }
  if (m.noisy) console.log(`\nNoisy neighbour:\n\n${renderText(noisyTable(m.noisy))}`);
  if (m.twilio) {
    console.log(`\n${renderText(twilioTable(m.twilio))}`);
    console.log(`\n${twilioVerdict(m.twilio, plan.twilioFirstMediaAt)}`);
  }
  if (m.phraseCache !== undefined) console.log(`\n${phraseCacheLines(m.phraseCache).join('\n')}`);
  printServiceLog(service);
  console.log('\nBENCH_ONLY: a partial run; the README block comes from full runs only.');
}

function printHeader(
  startedAt: string,
  host: HostInfo,
  service: RunningService,
  plan: BenchPlan,
  openFiles: number | null,
): void {
  const s = describeService(service);
  console.log(
    `CallWaiting TTS bench, ${startedAt}${plan.quick ? ' (BENCH_QUICK=1: small sizes)' : ''}`,
  );
  console.log(
    `Host: ${host.cpus} CPUs (${host.cpuModel}), node ${host.node}, load average ${load(host.loadAverage)} at start`,
  );
  console.log(
    `Service: ${service.baseUrl.origin}, engine ${s.engine}, ${s.enginePool}, queue ${s.engineMaxQueue}; database ${s.database}; ` +
      `open files limit ${openFiles ?? 'unknown'}`,
  );
}

function printResults(
  plan: BenchPlan,
  m: Measurements,
  service: RunningService,
  host: HostInfo,
  loadAtEnd: number[],
): void {
  const { capacity, twilio } = m;
  const latencyRows = latencyTable(m.latency, m.engine);
  const capacityRows = capacityTable(capacity);
  const capacitySummary = capacityVerdict(capacity);
  const spreadRows = capacityTable(m.spread);
  const spreadSummary = spreadVerdict(m.spread);
  const firstByteRows = firstByteTable(capacity, plan.firstByteAt);
  const resources = resourcesLine(capacity, plan.resourcesAt);
  const burstRows = burstTable(m.burst);
  const burstText = burstSummary(m.burst, plan);
  const boot = bootLine(m.firstCalls);
  const noisyRows = noisyTable(m.noisy);
  const throughputRows = throughputTable(m.throughput);
  const throughputSummary = throughputVerdict(m.throughput);
  const twilioRows = twilioTable(twilio);
  const twilioSummary = twilioVerdict(twilio, plan.twilioFirstMediaAt);
  const capacityText =
    `${capacity.chars} characters, ${(capacity.audioMs / 1000).toFixed(1)} s of audio per stream, ` +
    `voice default, all streams started at once; a level is cut off ` +
    `${(capacity.levelLimitMs / 1000).toFixed(1)} s after it starts.`;
  const noisyText =
    `Tenant A opens ${m.noisy.aStreams} capacity streams at once; ${plan.noisy.bDelayMs} ms later ` +
    `tenant B sends ${m.noisy.bRequests} mu-law streaming requests of ${m.noisy.bText.length} ` +
    `characters, one every ${plan.noisy.bSpacingMs} ms.`;
  const twilioText =
    `${twilio.words} words (${twilio.chars} characters, ${(twilio.audioMs / 1000).toFixed(1)} s of ` +
    `audio), one every ${twilio.wordIntervalMs} ms, then close; a level is cut off ` +
    `${(twilio.levelLimitMs / 1000).toFixed(1)} s after it starts.`;
  const notes = [
    'First byte: request start to the first body byte (headers go out with the first audio).',
    'Total: request start to the end of the body. Audio: from the byte count.',
    'RTF = mean total time / audio duration (lower is better); Speed = audio / mean total time.',
    '"p50 over engine": HTTP first-byte p50 minus the engine-alone first-chunk p50 for the same text.',
    `Engine alone: EspeakEngine (1 thread) in the bench process, voice preset default, no HTTP, no text`,
    `normalization or sentence splitting, no resampling or encoding. ${plan.latency.warmupRuns} untimed warm-up runs before each row`,
    `(HTTP warm-ups hang up at the first byte); a row stops after ${LATENCY_ROW_BUDGET_MS / 1000} s of timed runs (Runs shows how many ran).`,
  ];

  console.log(`\n${boot}`);
  console.log(
    '\nStreaming route on loopback: POST /v1/synthesize/streaming, sequential, keep-alive\n',
  );
  console.log(renderText(latencyRows));
  for (const r of m.latency.filter((l) => l.failed > 0)) {
    console.log(
      `  ${r.failed} of ${r.runs} ${r.format} runs for ${r.chars} chars failed: ${r.failures.join('; ')}`,
    );
  }
  console.log(`\n${notes.join('\n')}`);
  console.log(`\n${renderText(throughputRows)}\n\n${throughputSummary}`);
  console.log(`\nCapacity: ${capacityText}\n`);
  console.log(describeKeepUpRule(capacity.rule).join('\n'));
  console.log(`\n${renderText(capacityRows)}\n\n${capacitySummary}`);
  console.log(`\nFirst byte at chosen levels:\n\n${renderText(firstByteRows)}`);
  console.log(`\n${resources}`);
  console.log(`\n${renderText(burstRows)}\n\n${burstText}`);
  console.log(`\n${renderText(spreadRows)}\n\n${spreadSummary}`);
  console.log(`\nNoisy neighbour: ${noisyText}\n\n${renderText(noisyRows)}`);
  console.log(`\nTwilio WebSocket capacity: ${twilioText}\n`);
  console.log(describeTwilioRule(KEEP_UP_RULE).join('\n'));
  console.log(`\n${renderText(twilioRows)}\n\n${twilioSummary}`);
  const phraseLines = phraseCacheLines(m.phraseCache);
  console.log(`\n${phraseLines.join('\n')}`);
  console.log(
    `\nLoad average ${load(host.loadAverage)} at start, ${load(loadAtEnd)} at end ` +
      `(${host.cpus} CPUs, shared with other work: expect noise).`,
  );
  printServiceLog(service);

  const s = describeService(service);
  console.log(`\n${MARKDOWN_START}`);
  console.log(
    `Measured on ${host.cpus} CPUs (${host.cpuModel}, shared machine), node ${host.node}, ` +
      `engine ${s.engine} with ${s.enginePool}, queue ${s.engineMaxQueue}; loopback HTTP, voice \`default\`` +
      `${plan.quick ? '; BENCH_QUICK=1 (small sizes, not the reference figures)' : ''}.\n`,
  );
  console.log(renderMarkdown(latencyRows));
  console.log(`\nRTF = total time / audio duration; Speed = its inverse (× real time).\n`);
  console.log(`${boot}\n`);
  console.log(renderMarkdown(throughputRows));
  console.log(`\n${throughputSummary}\n`);
  console.log(renderMarkdown(capacityRows));
  console.log(
    `\n${capacitySummary} A stream keeps up when its first byte arrives within ` +
      `${capacity.rule.maxTtfbMs} ms, it completes, and delivery never falls more than ` +
      `${capacity.rule.jitterMs} ms behind playback that starts at the first byte ` +
      `(margin = smallest lead of delivery over playback). ${capacityText} ` +
      `live p99: GET /v1/health/live polled every ~50 ms during the level; RSS: the service ` +
      `process's peak VmRSS during the level.\n`,
  );
  console.log(renderMarkdown(firstByteRows));
  console.log(`\n${resources}\n`);
  console.log(renderMarkdown(burstRows));
  console.log(`\n${burstText}\n`);
  console.log(renderMarkdown(spreadRows));
  console.log(`\n${spreadSummary}\n`);
  console.log(`Noisy neighbour: ${noisyText}\n`);
  console.log(renderMarkdown(noisyRows));
  console.log(`\nTwilio-mode WebSocket sessions fed like an LLM: ${twilioText}\n`);
  console.log(renderMarkdown(twilioRows));
  console.log(
    `\n${twilioSummary} A session keeps up when it ends with \`done\` with all its audio, its ` +
      `first media frame arrives within ${KEEP_UP_RULE.maxTtfbMs} ms of the first sentence being ` +
      `complete, and a player that starts at the first media message and plays each message's ` +
      `audio (8 bytes per ms) never waits more ` +
      `than ${KEEP_UP_RULE.jitterMs} ms.`,
  );
  console.log(`\n${phraseLines.join('\n\n')}`);
  console.log(MARKDOWN_END);
}

/** The phrase cache in a few sentences (nothing when the service has none). */
function phraseCacheLines(p: PhraseCacheResult | null): string[] {
  if (!p) return ['Phrase cache: not measured (the service has none).'];
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const mem = p.memory;
  return [
    `Phrase cache, mu-law streams on loopback, sequential: first byte of a miss (the engine) ` +
      `p50 ${f(p.missTtfbMs.p50)} / p95 ${f(p.missTtfbMs.p95)} ms; of a hit p50 ` +
      `${f(p.hitTtfbMs.p50)} / p95 ${f(p.hitTtfbMs.p95)} ms (n = ${p.hitTtfbMs.n} pairs).`,
    `One cached prompt asked ${p.hitRepeat.backToBackMs.n} times back to back: first byte p50 ` +
      `${f(p.hitRepeat.backToBackMs.p50)} / p95 ${f(p.hitRepeat.backToBackMs.p95)} ms; with ` +
      `${p.pauseMs} ms of quiet before each: p50 ${f(p.hitRepeat.afterPauseMs.p50)} / p95 ` +
      `${f(p.hitRepeat.afterPauseMs.p95)} ms.` +
      (p.floor
        ? ` The bare NestJS app's GET (no auth, limits or logs), asked the same ways by the same ` +
          `client: p50 ${f(p.floor.backToBackMs.p50)} / p95 ${f(p.floor.backToBackMs.p95)} ms ` +
          `back to back, p50 ${f(p.floor.afterPauseMs.p50)} / p95 ${f(p.floor.afterPauseMs.p95)} ms ` +
          `after ${p.pauseMs} ms of quiet.`
        : ''),
    `Replay of ${p.replay.requests} prompts drawn from ${p.replay.phrases}, ${p.replay.concurrency} at a time: ` +
      `${p.replay.hits} hits (${(p.replay.hitRatio * 100).toFixed(1)}%), ${p.replay.failed} failed.`,
    `Memory at the bound (PHRASE_CACHE_MAX_BYTES = ${f(mem.boundMb)} MB for the bench, filled ` +
      `with 26-second PCM whole files): the cache held ${mem.cacheMb === null ? '-' : f(mem.cacheMb)} MB ` +
      `after ${mem.evictions ?? '-'} evictions; service RSS ${mem.rssMb === null ? '-' : mem.rssMb.toFixed(0)} MB.`,
  ];
}

function printServiceLog(service: RunningService): void {
  const { warnings, errors, samples } = service.log;
  console.log(`Service log (LOG_LEVEL=warn): ${warnings} warnings, ${errors} errors.`);
  for (const line of samples) console.log(`  ${line}`);
}

function describeService(service: RunningService) {
  const { engine, database } = service.config;
  return {
    engine: service.systemTts ? `${engine.name} (${service.systemTts})` : engine.name,
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
