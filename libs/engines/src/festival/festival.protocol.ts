import { schemeString } from './festival-text';

/**
 * How we talk to one `festival --pipe` process. It reads Scheme from stdin and prints nothing of
 * its own on stdout in pipe mode (errors go to stderr), so stdout carries only our replies:
 *
 *   CWVOICE <name> <gender>\n      one per installed voice, then CWREADY\n   (after the prelude)
 *   CWWAV <samples> <rate>\n<samples × 2 bytes, s16le>   the audio of one piece (read straight
 *     into an Int16Array: our targets, x86-64 and arm64, are little-endian)
 *   CWEND <id>\n  |  CWERR <id>\n  the piece is done, or Festival raised an error on it
 *
 * The audio is length-prefixed, so no byte of it is ever read as a line. `(fflush nil)` flushes
 * stdout after every reply: to a pipe it is block-buffered, and a reply would otherwise sit there.
 */
export const FESTIVAL_PRELUDE = `
(define (cw_gender v)
  (let ((g 'unknown))
    (unwind-protect (set! g (cadr (assoc 'gender (cadr (voice.description v))))) nil)
    g))
(define (cw_hello)
  (mapcar (lambda (v) (format t "CWVOICE %s %s\\n" v (cw_gender v))) (voice.list))
  (format t "CWREADY\\n")
  (fflush nil))
(set! cw_voice "")
(set! cw_base_params nil)
(define (cw_select voicefn)
  (if (not (string-equal voicefn cw_voice))
      (begin
        (eval (list (intern voicefn)))
        (set! cw_base_params hts_engine_params)
        (set! cw_voice voicefn))))
(define (cw_say id voicefn text rate sample_rate)
  (unwind-protect
    (begin
      (cw_select voicefn)
      (set! hts_engine_params (append cw_base_params (list (list "-r" rate))))
      (Parameter.set 'Duration_Stretch (/ 1.0 rate))
      (let ((w (utt.wave (utt.synth (eval (list 'Utterance 'Text text))))))
        (if (> sample_rate 0) (wave.resample w sample_rate))
        (format t "CWWAV %d %d\\n"
          (cadr (assoc 'num_samples (wave.info w)))
          (cadr (assoc 'sample_rate (wave.info w))))
        (wave.save w "-" 'raw 'short 'LSB))
      (format t "CWEND %d\\n" id))
    (begin
      (set! cw_voice "")
      (format t "CWERR %d\\n" id)))
  (fflush nil))
(cw_hello)
`;

/** Voice names go into a Scheme symbol (`voice_<name>`): Festival's own names are like this. */
export const FESTIVAL_VOICE_NAME = /^[a-z0-9_]{1,64}$/;

export interface SayCommand {
  id: number;
  voice: string;
  /** Already folded by `toFestivalText`. */
  text: string;
  /** Speaking-rate multiplier (hts_engine `-r`; `Duration_Stretch` 1/rate for other voices). */
  rate: number;
  /** Festival resamples (EST's rateconv) to this rate; 0 keeps the voice's own. */
  sampleRate: number;
}

export function sayCommand(c: SayCommand): string {
  if (!FESTIVAL_VOICE_NAME.test(c.voice)) throw new Error(`not a Festival voice name: ${c.voice}`);
  const rate = Number.isFinite(c.rate) && c.rate > 0 ? c.rate : 1;
  return `(cw_say ${c.id} "voice_${c.voice}" ${schemeString(c.text)} ${rate.toFixed(3)} ${Math.max(0, Math.round(c.sampleRate))})\n`;
}

export type FestivalReply =
  | { kind: 'voice'; name: string; gender: string }
  | { kind: 'ready' }
  | { kind: 'wave'; samples: Int16Array; sampleRate: number }
  | { kind: 'end'; id: number }
  | { kind: 'error'; id: number }
  | { kind: 'other'; line: string };

const MAX_LINE = 4096;
/** An hour of 48 kHz audio: anything larger is not a reply to one piece. */
const MAX_WAVE_SAMPLES = 48_000 * 3600;

/** Splits a Festival process's stdout into replies; feed it every chunk in order. */
export class FestivalReplyParser {
  private line: Buffer[] = [];
  private lineBytes = 0;
  private wave: { samples: Int16Array; bytes: Uint8Array; filled: number; rate: number } | null =
    null;

  push(data: Buffer): FestivalReply[] {
    const replies: FestivalReply[] = [];
    let at = 0;
    while (at < data.length) {
      if (this.wave) {
        const w = this.wave;
        const take = Math.min(w.bytes.length - w.filled, data.length - at);
        w.bytes.set(data.subarray(at, at + take), w.filled);
        w.filled += take;
        at += take;
        if (w.filled === w.bytes.length) {
          replies.push({ kind: 'wave', samples: w.samples, sampleRate: w.rate });
          this.wave = null;
        }
        continue;
      }
      const newline = data.indexOf(0x0a, at);
      if (newline < 0) {
        this.appendLine(data.subarray(at));
        break;
      }
      this.appendLine(data.subarray(at, newline));
      at = newline + 1;
      const reply = this.finishLine();
      if (reply) replies.push(reply);
    }
    return replies;
  }

  private appendLine(part: Buffer): void {
    // A runaway line (not ours) is cut, not buffered without bound.
    if (this.lineBytes + part.length > MAX_LINE) part = part.subarray(0, MAX_LINE - this.lineBytes);
    if (part.length === 0) return;
    this.line.push(Buffer.from(part));
    this.lineBytes += part.length;
  }

  private finishLine(): FestivalReply | null {
    const line = Buffer.concat(this.line).toString('latin1').trim();
    this.line = [];
    this.lineBytes = 0;
    if (line === '') return null;
    const [tag, a, b] = line.split(/\s+/);
    switch (tag) {
      case 'CWREADY':
        return { kind: 'ready' };
      case 'CWVOICE':
        return { kind: 'voice', name: a ?? '', gender: b ?? 'unknown' };
      case 'CWEND':
        return { kind: 'end', id: Number(a) };
      case 'CWERR':
        return { kind: 'error', id: Number(a) };
      case 'CWWAV': {
        const count = Number(a);
        const rate = Number(b);
        if (!Number.isInteger(count) || count < 0 || count > MAX_WAVE_SAMPLES || !(rate > 0)) {
          throw new Error(`Festival sent a malformed wave header: ${line}`);
        }
        const samples = new Int16Array(count);
        const bytes = new Uint8Array(samples.buffer);
        if (count === 0) return { kind: 'wave', samples, sampleRate: rate };
        this.wave = { samples, bytes, filled: 0, rate };
        return null;
      }
      default:
        return { kind: 'other', line };
    }
  }
}
