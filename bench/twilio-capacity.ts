import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { KeepUpRule } from './capacity';
import { errorCode } from './http-client';
import type { ResourceSample, ResourceSampler } from './resources';
import { summarize, type Summary } from './stats';

/** Twilio plays 8 kHz mu-law: 8 bytes per ms, whatever the size of a media message. */
const BYTES_PER_MS = 8;
const SENTENCE_END = /[.!?]["')\]]*$/;

export interface TwilioCapacityOptions {
  text: string;
  /** One word is sent every this many ms, as an LLM would stream them. */
  wordIntervalMs: number;
  levels: readonly number[];
  /** A level is cut off this long after its feeding and the audio of a lone session would end. */
  levelSlackMs: number;
  /** No level starts unless it can end within this budget (from the start of the test). */
  budgetMs: number;
  pauseBetweenLevelsMs: number;
  rule: KeepUpRule;
  sampleResources: () => ResourceSampler;
  /** Sent as `media_ms` (the most audio per media message); absent: the service's default. */
  mediaMs?: number;
}

/** One session from the client side. */
interface SessionTrace {
  /** HTTP status of a refused upgrade, with its error code. */
  refused?: { status: number; code?: string };
  /** Error frames received, by code. */
  errors: string[];
  /** Session start to the moment the word completing the first sentence was sent. */
  sentenceCompleteMs: number | null;
  /** Session start to each media frame's arrival, and the frame's audio bytes. */
  frames: Array<{ atMs: number; bytes: number }>;
  bytes: number;
  done: boolean;
  /** The bench hung up at the level's cut-off. */
  cutOff: boolean;
  /** A transport failure, if any. */
  failure?: string;
}

interface SessionVerdict {
  /** First media frame minus the moment the first sentence was complete (may be negative). */
  firstMediaMs: number | null;
  worstLeadMs: number | null;
  failure?: string;
}

export interface TwilioLevel {
  sessions: number;
  keptUp: number;
  passed: boolean;
  firstMediaMs: Summary;
  worstLeadMs: number | null;
  wallMs: number;
  failures: Record<string, number>;
  resources: ResourceSample;
}

export interface TwilioCapacityResult {
  words: number;
  chars: number;
  wordIntervalMs: number;
  /** Audio bytes a lone session gets: what "complete" is judged against. */
  referenceBytes: number;
  audioMs: number;
  levelLimitMs: number;
  levels: TwilioLevel[];
  capacity: number;
  firstFailedLevel: number | null;
  stoppedBy: 'a failed level' | 'the last level' | 'the time budget';
}

/**
 * Increasing numbers of simultaneous Twilio-mode WebSocket sessions, each fed the text word by
 * word and closed, until one level does not keep up.
 */
export async function measureTwilioCapacity(
  baseUrl: URL,
  token: string,
  options: TwilioCapacityOptions,
): Promise<TwilioCapacityResult> {
  const started = performance.now();
  const words = options.text.split(/\s+/).filter(Boolean);
  const feedMs = words.length * options.wordIntervalMs;

  const session = (cutoff: AbortSignal | undefined) =>
    runSession(baseUrl, token, words, options.wordIntervalMs, cutoff, options.mediaMs);
  const lone = await session(undefined);
  if (!lone.done || lone.bytes === 0) {
    throw new Error(`the reference Twilio session failed: ${describeFailure(lone) ?? 'no audio'}`);
  }
  const referenceBytes = lone.bytes;
  const audioMs = referenceBytes / BYTES_PER_MS;
  const levelLimitMs = feedMs + audioMs + options.levelSlackMs;

  const levels: TwilioLevel[] = [];
  let stoppedBy: TwilioCapacityResult['stoppedBy'] = 'the last level';
  for (const sessions of options.levels) {
    if (performance.now() - started + levelLimitMs > options.budgetMs) {
      stoppedBy = 'the time budget';
      break;
    }
    const sampler = options.sampleResources();
    const levelStart = performance.now();
    const cutoff = AbortSignal.timeout(levelLimitMs);
    // Every session of the level listens to this one signal.
    setMaxListeners(sessions + 1, cutoff);
    const traces = await Promise.all(Array.from({ length: sessions }, () => session(cutoff)));
    const wallMs = performance.now() - levelStart;
    const resources = await sampler.stop();
    const verdicts = traces.map((t) => judgeSession(t, referenceBytes, options.rule));
    const failures: Record<string, number> = {};
    for (const v of verdicts) {
      if (v.failure) failures[v.failure] = (failures[v.failure] ?? 0) + 1;
    }
    const keptUp = verdicts.filter((v) => !v.failure).length;
    const leads = verdicts.flatMap((v) => (v.worstLeadMs === null ? [] : [v.worstLeadMs]));
    levels.push({
      sessions,
      keptUp,
      passed: keptUp === sessions,
      firstMediaMs: summarize(verdicts.flatMap((v) => v.firstMediaMs ?? [])),
      worstLeadMs: leads.length ? Math.min(...leads) : null,
      wallMs,
      failures,
      resources,
    });
    if (keptUp < sessions) {
      stoppedBy = 'a failed level';
      break;
    }
    await sleep(options.pauseBetweenLevelsMs);
  }

  const passed = levels.filter((l) => l.passed);
  return {
    words: words.length,
    chars: options.text.length,
    wordIntervalMs: options.wordIntervalMs,
    referenceBytes,
    audioMs,
    levelLimitMs,
    levels,
    capacity: passed.at(-1)?.sessions ?? 0,
    firstFailedLevel: levels.find((l) => !l.passed)?.sessions ?? null,
    stoppedBy,
  };
}

export function describeTwilioRule(rule: KeepUpRule): string[] {
  return [
    'A Twilio-mode session (GET /v1/synthesize/ws?output=twilio) is fed the text one word every',
    'interval ("word " with its trailing space, so a sentence is complete when its last word is sent),',
    'then `close`. It keeps up when all of these hold:',
    `  1. the upgrade succeeds, no error frame arrives, and the session ends with \`done\` carrying`,
    `     >= ${rule.minByteShare * 100}% of the audio a lone session gets;`,
    `  2. the first media frame arrives <= ${rule.maxTtfbMs} ms after the first sentence is complete;`,
    `  3. a player that starts at the first media message and plays each one's audio never waits`,
    `     more than ${rule.jitterMs} ms for a frame (margin = smallest lead of delivery over playback).`,
    'First media = first media frame minus the moment the first sentence was complete (negative when',
    'audio started before the sentence was complete).',
  ];
}

function judgeSession(
  trace: SessionTrace,
  referenceBytes: number,
  rule: KeepUpRule,
): SessionVerdict {
  const first = trace.frames[0]?.atMs;
  const firstMediaMs =
    first === undefined || trace.sentenceCompleteMs === null
      ? null
      : first - trace.sentenceCompleteMs;
  const worstLeadMs = worstLead(trace);
  const verdict = (failure?: string): SessionVerdict => ({ firstMediaMs, worstLeadMs, failure });

  const failure = describeFailure(trace);
  if (failure) return verdict(failure);
  if (trace.bytes < referenceBytes * rule.minByteShare) return verdict('short audio');
  if (firstMediaMs === null || firstMediaMs > rule.maxTtfbMs) {
    return verdict(`first media > ${rule.maxTtfbMs} ms`);
  }
  if (worstLeadMs === null || worstLeadMs < -rule.jitterMs) return verdict('fell behind');
  return verdict();
}

function describeFailure(trace: SessionTrace): string | undefined {
  if (trace.refused) return `HTTP ${trace.refused.status} ${trace.refused.code ?? ''}`.trim();
  if (trace.errors.length) return `error frame ${trace.errors[0]}`;
  if (trace.failure) return trace.failure;
  if (!trace.done) return trace.cutOff ? 'unfinished at cut-off' : 'closed without done';
  return undefined;
}

/**
 * Smallest lead of delivered audio over a player that starts at the first frame: the audio of
 * the first frame, then, just before each later frame, the audio before it minus the time since
 * the first frame (the same measure as the HTTP capacity test's margin).
 */
function worstLead(trace: SessionTrace): number | null {
  const { frames } = trace;
  if (frames.length === 0) return null;
  const first = frames[0].atMs;
  let delivered = frames[0].bytes;
  let worst = delivered / BYTES_PER_MS;
  for (const frame of frames.slice(1)) {
    worst = Math.min(worst, delivered / BYTES_PER_MS - (frame.atMs - first));
    delivered += frame.bytes;
  }
  return worst;
}

/** One session: connect, feed the words, close; resolves when the socket closes or is cut off. */
function runSession(
  baseUrl: URL,
  token: string,
  words: string[],
  wordIntervalMs: number,
  cutoff: AbortSignal | undefined,
  mediaMs: number | undefined,
): Promise<SessionTrace> {
  const sid = `MZ${randomBytes(16).toString('hex')}`;
  const url = new URL(`/v1/synthesize/ws?output=twilio&stream_sid=${sid}`, baseUrl);
  if (mediaMs !== undefined) url.searchParams.set('media_ms', String(mediaMs));
  url.protocol = 'ws:';
  const trace: SessionTrace = {
    errors: [],
    sentenceCompleteMs: null,
    frames: [],
    bytes: 0,
    done: false,
    cutOff: false,
  };
  const started = performance.now();
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });

  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cutoff?.removeEventListener('abort', onCutoff);
      resolve(trace);
    };
    const onCutoff = (): void => {
      trace.cutOff = true;
      ws.terminate();
      finish();
    };
    cutoff?.addEventListener('abort', onCutoff, { once: true });

    ws.on('unexpected-response', (req, res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        trace.refused = { status: res.statusCode ?? 0, code: errorCode(parts) };
        req.destroy();
        finish();
      });
      res.on('error', finish);
    });
    ws.on('error', (err) => {
      trace.failure ??= `socket error: ${err.message}`;
      finish();
    });
    ws.on('close', finish);
    ws.on('message', (data: Buffer, isBinary) => {
      const atMs = performance.now() - started;
      if (isBinary) {
        trace.errors.push('binary frame');
        return;
      }
      onMessage(trace, data.toString('utf8'), atMs);
    });
    ws.on('open', () => {
      void feed(ws, words, wordIntervalMs, started, trace);
    });
  });
}

/** Sends word i at i × interval after the socket opened, then `close`. */
async function feed(
  ws: WebSocket,
  words: string[],
  wordIntervalMs: number,
  started: number,
  trace: SessionTrace,
): Promise<void> {
  const opened = performance.now();
  for (let i = 0; i < words.length; i++) {
    await sleep(Math.max(0, opened + i * wordIntervalMs - performance.now()));
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: 'text', text: `${words[i]} ` }));
    if (trace.sentenceCompleteMs === null && SENTENCE_END.test(words[i])) {
      trace.sentenceCompleteMs = performance.now() - started;
    }
  }
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'close' }));
}

const MEDIA_PREFIX = '{"event":"media"';
const PAYLOAD_KEY = '"payload":"';

/**
 * Media frames (about 50 a second per session) take a fast path when they have the usual key
 * order: the payload's size is read from its base64 length. Everything else is parsed.
 */
function onMessage(trace: SessionTrace, text: string, atMs: number): void {
  if (text.startsWith(MEDIA_PREFIX)) {
    const from = text.indexOf(PAYLOAD_KEY);
    const to = from < 0 ? -1 : text.indexOf('"', from + PAYLOAD_KEY.length);
    if (to > 0) {
      addFrame(trace, base64Bytes(text.slice(from + PAYLOAD_KEY.length, to)), atMs);
      return;
    }
  }
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(text) as Record<string, unknown>;
  } catch {
    trace.errors.push('invalid JSON');
    return;
  }
  if (message.event === 'media') {
    const payload = (message.media as { payload?: unknown } | undefined)?.payload;
    addFrame(trace, typeof payload === 'string' ? base64Bytes(payload) : 0, atMs);
  } else if (message.type === 'done') {
    trace.done = true;
  } else if (message.type === 'error') {
    trace.errors.push(String(message.code));
  }
  // `mark` events and anything else carry no audio.
}

function addFrame(trace: SessionTrace, bytes: number, atMs: number): void {
  trace.bytes += bytes;
  trace.frames.push({ atMs, bytes });
}

function base64Bytes(payload: string): number {
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  return (payload.length * 3) / 4 - padding;
}
