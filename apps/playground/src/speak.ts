import { ApiError, apiFetch, apiJson, describeError, jsonBody, keyStore } from './api';
import { audioContext } from './audio-context';
import { type AudioFormat, chunkDecoder, fixWavSizes } from './decoders';
import { $, clearMessage, el, millis, seconds, showMessage } from './dom';
import { PcmPlayer } from './pcm-player';

const EXTENSIONS: Record<AudioFormat, { ext: string; type: string }> = {
  wav: { ext: 'wav', type: 'audio/wav' },
  pcm: { ext: 'pcm', type: 'audio/L16' },
  mulaw: { ext: 'ulaw', type: 'audio/basic' },
  alaw: { ext: 'alaw', type: 'audio/x-alaw-basic' },
  mp3: { ext: 'mp3', type: 'audio/mpeg' },
};

const PREVIEW_DELAY_MS = 400;

interface Run {
  abort: AbortController;
  player?: PcmPlayer;
  audio?: HTMLAudioElement;
}

/** The Speak screen: text → streamed audio that starts playing at its first chunk. */
export class SpeakPanel {
  private readonly text = $<HTMLTextAreaElement>('speak-text');
  private readonly ssml = $<HTMLInputElement>('speak-ssml');
  private readonly voice = $<HTMLSelectElement>('speak-voice');
  private readonly format = $<HTMLSelectElement>('speak-format');
  private readonly rate = $<HTMLSelectElement>('speak-rate');
  private readonly speed = $<HTMLInputElement>('speak-speed');
  private readonly phone = $<HTMLInputElement>('speak-phone');
  private readonly playButton = $<HTMLButtonElement>('speak-play');
  private readonly stopButton = $<HTMLButtonElement>('speak-stop');
  private readonly download = $<HTMLAnchorElement>('speak-download');
  private readonly metrics = $('speak-metrics');
  private readonly spoken = $('spoken-text');
  private readonly ssmlError = $('ssml-error');
  private run: Run | undefined;
  private previewTimer: number | undefined;
  private previewSeq = 0;
  private errorOffset = 0;
  private downloadUrl: string | undefined;

  constructor() {
    this.text.addEventListener('input', () => this.schedulePreview());
    this.ssml.addEventListener('change', () => this.schedulePreview());
    this.speed.addEventListener('input', () => {
      $('speak-speed-value').textContent = `${Number(this.speed.value).toFixed(1)}×`;
    });
    this.phone.addEventListener('change', () => this.syncPhoneLine());
    this.format.addEventListener('change', () => this.syncPhoneLine());
    this.playButton.addEventListener('click', () => void this.play());
    this.stopButton.addEventListener('click', () => this.stop());
    $('ssml-error-show').addEventListener('click', () => {
      this.text.focus();
      this.text.setSelectionRange(
        this.errorOffset,
        Math.min(this.errorOffset + 1, this.text.value.length),
      );
    });
  }

  /** A key was entered or forgotten: refresh what depends on it. */
  onKeyChanged(): void {
    this.schedulePreview(0);
  }

  private syncPhoneLine(): void {
    const phone = this.phone.checked;
    this.format.disabled = phone;
    const g711 = phone || this.format.value === 'mulaw' || this.format.value === 'alaw';
    this.rate.disabled = g711;
    if (g711) this.rate.value = '8000';
  }

  private request(): { body: Record<string, unknown>; format: AudioFormat } {
    const format = (this.phone.checked ? 'mulaw' : this.format.value) as AudioFormat;
    const body: Record<string, unknown> = {
      text: this.text.value,
      voice_id: this.voice.value || undefined,
      format,
      speed: Number(this.speed.value),
      ssml: this.ssml.checked,
    };
    if (format === 'mulaw' || format === 'alaw') body.sample_rate = 8000;
    else if (this.rate.value) body.sample_rate = Number(this.rate.value);
    return { body, format };
  }

  private schedulePreview(delay = PREVIEW_DELAY_MS): void {
    window.clearTimeout(this.previewTimer);
    this.previewTimer = window.setTimeout(() => void this.preview(), delay);
  }

  /** "What will be spoken": the service's own normalization of the text, or the SSML error. */
  private async preview(): Promise<void> {
    const seq = ++this.previewSeq;
    if (!keyStore.get()) {
      this.spoken.textContent = 'Enter an API key to see the normalized text.';
      this.spoken.classList.add('muted');
      return;
    }
    if (!this.text.value.trim()) {
      this.spoken.textContent = '';
      this.hideSsmlError();
      return;
    }
    try {
      const normalized = await apiJson<Normalized>(
        '/v1/text/normalize',
        jsonBody({ text: this.text.value, ssml: this.ssml.checked }),
      );
      if (seq !== this.previewSeq) return;
      this.spoken.textContent = normalized.spoken_text;
      this.showDictionaries(normalized);
      this.spoken.classList.remove('muted');
      this.hideSsmlError();
    } catch (err) {
      if (seq !== this.previewSeq) return;
      if (!this.showSsmlError(err)) {
        this.spoken.textContent = describeError(err);
        this.spoken.classList.add('muted');
      }
    }
  }

  /** Which of the tenant's pronunciation dictionaries applied, and what each rule replaced. */
  private showDictionaries({
    pronunciation_dictionaries: used = [],
    replacements = [],
  }: Normalized): void {
    const line = $('spoken-dictionaries');
    line.textContent = used.length
      ? `Pronunciation dictionaries applied: ${used.map((d) => `${d.id} (version ${d.version})`).join(', ')}.`
      : 'No pronunciation dictionary applied.';
    line.hidden = false;
    const list = $('spoken-replacements');
    list.replaceChildren(
      ...replacements.map((r) =>
        el(
          'li',
          {},
          `${r.original} → ${r.type === 'phoneme' ? `/${r.replacement}/` : r.replacement}`,
        ),
      ),
    );
    list.hidden = replacements.length === 0;
  }

  /** An invalid_ssml answer, shown with its line and column; false for any other error. */
  private showSsmlError(err: unknown): boolean {
    if (!(err instanceof ApiError) || err.code !== 'invalid_ssml') return false;
    const { line, column } = err.body;
    const where =
      line !== undefined && column !== undefined ? ` at line ${line}, column ${column}` : '';
    // The service's message names the position too; say it once.
    const detail = err.message.replace(/^Invalid SSML at line \d+, column \d+: /, '');
    $('ssml-error-text').textContent = `SSML error${where}: ${detail}`;
    this.errorOffset = offsetOf(this.text.value, line ?? 1, column ?? 1);
    this.ssmlError.hidden = false;
    this.text.setAttribute('aria-invalid', 'true');
    this.text.setAttribute('aria-describedby', 'ssml-error-text');
    this.spoken.textContent = 'Fix the SSML to see what will be spoken.';
    this.spoken.classList.add('muted');
    return true;
  }

  private hideSsmlError(): void {
    this.ssmlError.hidden = true;
    this.text.removeAttribute('aria-invalid');
    this.text.removeAttribute('aria-describedby');
  }

  private stop(): void {
    this.run?.abort.abort();
    this.run?.player?.stop();
    this.run?.audio?.pause();
  }

  private async play(): Promise<void> {
    this.stop();
    clearMessage();
    const { body, format } = this.request();
    const run: Run = { abort: new AbortController() };
    this.run = run;
    this.setState('loading');
    this.resetMetrics();
    const started = performance.now();
    try {
      const res = await apiFetch('/v1/synthesize/streaming', {
        ...jsonBody(body),
        signal: run.abort.signal,
      });
      if (!res.body) throw new Error('This browser cannot read a streamed response.');
      const rate =
        Number(res.headers.get('X-Audio-Sample-Rate')) || Number(body.sample_rate) || 22050;
      const parts: Uint8Array[] = [];
      const reader = res.body.getReader();
      let firstByte: number | undefined;
      const sink = format === 'mp3' ? this.mp3Sink(run) : this.pcmSink(run, format, rate);
      this.setState('playing');
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (firstByte === undefined) {
          firstByte = performance.now() - started;
          $('metric-first-byte').textContent = millis(firstByte);
        }
        parts.push(value);
        sink.push(value);
      }
      const total = performance.now() - started;
      const played = sink.playedSeconds();
      $('metric-total').textContent = millis(total);
      $('metric-played').textContent = seconds(played);
      this.metrics.dataset.playedAtEnd = String(played);
      const audioSeconds = await sink.end();
      $('metric-audio').textContent = seconds(audioSeconds);
      this.metrics.dataset.audioSeconds = String(audioSeconds);
      this.offerDownload(parts, format);
      this.setState('done');
    } catch (err) {
      run.player?.stop();
      this.setState(run.abort.signal.aborted ? 'stopped' : 'failed');
      if (run.abort.signal.aborted) return;
      if (!this.showSsmlError(err)) showMessage(describeError(err));
    } finally {
      this.stopButton.disabled = true;
      this.playButton.disabled = false;
    }
  }

  private pcmSink(run: Run, format: Exclude<AudioFormat, 'mp3'>, rate: number): AudioSink {
    const decoder = chunkDecoder(format);
    const player = new PcmPlayer(audioContext());
    run.player = player;
    return {
      push: (chunk) => player.enqueue(decoder.push(chunk), rate),
      playedSeconds: () => player.playedSeconds(),
      end: async () => decoder.samples / rate,
    };
  }

  /** MP3 goes to an audio element through MediaSource, which plays it as it is appended. */
  private mp3Sink(run: Run): AudioSink {
    const audio = new Audio();
    run.audio = audio;
    const source = new MediaSource();
    audio.src = URL.createObjectURL(source);
    const opened = new Promise<SourceBuffer>((resolve) =>
      source.addEventListener('sourceopen', () => resolve(source.addSourceBuffer('audio/mpeg')), {
        once: true,
      }),
    );
    let queue = Promise.resolve();
    const append = (buffer: SourceBuffer, chunk: Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        buffer.addEventListener('updateend', () => resolve(), { once: true });
        buffer.addEventListener(
          'error',
          () => reject(new Error('The browser could not decode the MP3')),
          {
            once: true,
          },
        );
        buffer.appendBuffer(chunk as Uint8Array<ArrayBuffer>);
      });
    void audio.play().catch(() => undefined);
    return {
      push: (chunk) => {
        queue = queue.then(async () => append(await opened, chunk));
      },
      playedSeconds: () => audio.currentTime,
      end: async () => {
        await queue;
        if (source.readyState === 'open') source.endOfStream();
        return Number.isFinite(audio.duration) ? audio.duration : 0;
      },
    };
  }

  private offerDownload(parts: Uint8Array[], format: AudioFormat): void {
    const total = parts.reduce((n, p) => n + p.length, 0);
    let file = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      file.set(p, at);
      at += p.length;
    }
    if (format === 'wav') file = fixWavSizes(file);
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    const { ext, type } = EXTENSIONS[format];
    this.downloadUrl = URL.createObjectURL(new Blob([file], { type }));
    this.download.href = this.downloadUrl;
    this.download.download = `speech.${ext}`;
    this.download.hidden = false;
  }

  private setState(state: 'loading' | 'playing' | 'done' | 'stopped' | 'failed'): void {
    this.metrics.dataset.state = state;
    const busy = state === 'loading' || state === 'playing';
    this.playButton.disabled = busy;
    this.stopButton.disabled = !busy;
  }

  private resetMetrics(): void {
    for (const id of ['metric-first-byte', 'metric-total', 'metric-audio', 'metric-played'])
      $(id).textContent = '…';
    delete this.metrics.dataset.playedAtEnd;
    delete this.metrics.dataset.audioSeconds;
    this.download.hidden = true;
  }
}

/** POST /v1/text/normalize; the dictionary fields are absent on servers without dictionaries. */
interface Normalized {
  spoken_text: string;
  pronunciation_dictionaries?: Array<{ id: string; version: number }>;
  replacements?: Array<{ original: string; type: 'alias' | 'phoneme'; replacement: string }>;
}

interface AudioSink {
  push(chunk: Uint8Array): void;
  playedSeconds(): number;
  /** Seconds of audio in the whole response, once it has all arrived. */
  end(): Promise<number>;
}

/** Character offset of a 1-based line and column, for selecting an SSML error in the text. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) break;
    at = nl + 1;
  }
  return Math.min(text.length, at + Math.max(0, column - 1));
}
