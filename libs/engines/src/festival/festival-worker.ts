import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  FESTIVAL_PRELUDE,
  FestivalReplyParser,
  sayCommand,
  type FestivalReply,
  type SayCommand,
} from './festival.protocol';

export interface InstalledVoice {
  name: string;
  gender: string;
}

/** What a worker hands back for one piece. */
export interface PieceResult {
  samples: Int16Array;
  sampleRate: number;
  /** From the command written to Festival's reply: the time this process spent on the piece. */
  renderMs: number;
}

export enum WorkerState {
  /** Process spawned, prelude sent, waiting for CWREADY. */
  Starting = 'starting',
  Idle = 'idle',
  Busy = 'busy',
  /** Its caller gave up on the piece: the reply is read and thrown away, then it is idle again. */
  Draining = 'draining',
  /** Process gone (exited, killed, never started). */
  Dead = 'dead',
}

const STDERR_TAIL = 2048;

/**
 * One long-lived `festival --pipe` process: voices load once, then each piece costs only its own
 * synthesis. One piece at a time; the pool decides who gets it.
 */
export class FestivalWorker {
  state: WorkerState = WorkerState.Starting;
  /** It answered CWREADY once (a process that dies before that failed to start). */
  wasReady = false;
  voices: InstalledVoice[] = [];
  readonly ready: Promise<void>;
  /** Settles once the process is gone. */
  readonly exited: Promise<void>;

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly parser = new FestivalReplyParser();
  private stderr = '';
  private nextId = 1;
  private piece: {
    id: number;
    startedAt: number;
    wave: { samples: Int16Array; sampleRate: number } | null;
    resolve: (result: PieceResult) => void;
    reject: (error: Error) => void;
  } | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private settleReady!: { resolve: () => void; reject: (error: Error) => void };
  private exitInfo: string | null = null;
  private settleExited!: () => void;

  /**
   * @param onFree called when the worker becomes idle again after a piece or a drain
   * @param onExit called once when the process is gone, whatever the reason
   */
  constructor(
    binary: string,
    private readonly onFree: (worker: FestivalWorker) => void,
    private readonly onExit: (worker: FestivalWorker, reason: string) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // A rejected `ready` that nobody awaits (a restart that failed) is reported through onExit.
    this.ready.catch(() => undefined);
    this.exited = new Promise<void>((resolve) => {
      this.settleExited = resolve;
    });
    this.child = spawn(binary, ['--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (data: Buffer) => this.onStdout(data));
    this.child.stderr.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString('latin1')).slice(-STDERR_TAIL);
    });
    // EPIPE when the process died under a write: 'exit' tells the rest.
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (error) => this.gone(`could not run ${binary}: ${error.message}`));
    this.child.on('exit', (code, signal) =>
      this.gone(signal ? `festival was killed (${signal})` : `festival exited with code ${code}`),
    );
    this.child.stdin.write(FESTIVAL_PRELUDE);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines Festival wrote to stderr (its SIOD errors), for messages. */
  get lastError(): string {
    const lines = this.stderr.trim().split('\n').filter(Boolean);
    return lines.slice(-3).join(' | ');
  }

  /** Renders one piece; rejects with a plain Error when Festival fails on it or dies. */
  say(command: Omit<SayCommand, 'id'>): Promise<PieceResult> {
    if (this.state !== WorkerState.Idle) {
      return Promise.reject(new Error(`festival worker is ${this.state}, not idle`));
    }
    const id = this.nextId++;
    this.state = WorkerState.Busy;
    return new Promise<PieceResult>((resolve, reject) => {
      this.piece = { id, startedAt: performance.now(), wave: null, resolve, reject };
      this.child.stdin.write(sayCommand({ ...command, id }));
    });
  }

  /**
   * The caller no longer wants the piece in progress: its promise is left unsettled and the
   * reply is discarded. If Festival has not answered within `graceMs`, the process is killed
   * (the pool starts another).
   */
  abandon(graceMs: number): void {
    if (this.state !== WorkerState.Busy || !this.piece) return;
    this.piece.resolve = () => undefined;
    this.piece.reject = () => undefined;
    if (graceMs <= 0) {
      this.kill();
      return;
    }
    this.state = WorkerState.Draining;
    this.drainTimer = setTimeout(() => this.kill(), graceMs);
  }

  kill(): void {
    if (this.state === WorkerState.Dead) return;
    this.child.kill('SIGKILL');
  }

  private onStdout(data: Buffer): void {
    let replies: FestivalReply[];
    try {
      replies = this.parser.push(data);
    } catch (error) {
      // Out of step with the process: it cannot be trusted with another piece.
      this.stderr += `\n${error instanceof Error ? error.message : String(error)}`;
      this.kill();
      return;
    }
    for (const reply of replies) this.onReply(reply);
  }

  private onReply(reply: FestivalReply): void {
    switch (reply.kind) {
      case 'voice':
        this.voices.push({ name: reply.name, gender: reply.gender });
        return;
      case 'ready':
        if (this.state === WorkerState.Starting) {
          this.state = WorkerState.Idle;
          this.wasReady = true;
          this.settleReady.resolve();
        }
        return;
      case 'wave':
        if (this.piece) this.piece.wave = reply;
        return;
      case 'end':
      case 'error':
        this.finishPiece(reply);
        return;
      case 'other':
        return;
    }
  }

  private finishPiece(reply: { kind: 'end' | 'error'; id: number }): void {
    const piece = this.piece;
    if (!piece || piece.id !== reply.id) return;
    this.piece = null;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    this.state = WorkerState.Idle;
    const renderMs = performance.now() - piece.startedAt;
    if (reply.kind === 'end' && piece.wave) {
      piece.resolve({ ...piece.wave, renderMs });
    } else {
      piece.reject(new Error(`Festival failed on the text: ${this.lastError || 'no detail'}`));
    }
    this.onFree(this);
  }

  private gone(reason: string): void {
    if (this.exitInfo !== null) return;
    this.exitInfo = reason;
    const detail = this.lastError ? `${reason}: ${this.lastError}` : reason;
    const wasStarting = this.state === WorkerState.Starting;
    this.state = WorkerState.Dead;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    if (wasStarting) this.settleReady.reject(new Error(detail));
    const piece = this.piece;
    this.piece = null;
    piece?.reject(new Error(detail));
    // The process may already be gone ('error' without 'exit'); make sure it is.
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.settleExited();
    this.onExit(this, detail);
  }
}
