import { keyStore, MissingKeyError, describeError } from './api';
import { audioContext } from './audio-context';
import { chunkDecoder } from './decoders';
import { $, showMessage } from './dom';
import { PcmPlayer } from './pcm-player';

const SAMPLE_RATE = 16000;

/** Complete words at the start of `pending`: each with the spaces after it. */
const WORD = /^\s*\S+\s+/;

/**
 * The Realtime screen: text typed or pasted goes over /v1/synthesize/ws one word at a time, audio
 * comes back and plays as it arrives; Stop sends `clear` (barge-in) and silences what was queued.
 */
export class RealtimePanel {
  private readonly text = $<HTMLTextAreaElement>('rt-text');
  private readonly voice = $<HTMLSelectElement>('rt-voice');
  private readonly status = $('rt-status');
  private ws: WebSocket | undefined;
  private player: PcmPlayer | undefined;
  private decoder = chunkDecoder('pcm');
  /** Characters of the text box already sent (or dropped by Stop). */
  private sent = 0;
  private outbox: string[] = [];
  /** Between our `clear` and the server's `cleared`: audio still in flight is dropped. */
  private clearing = false;
  private frames = 0;

  constructor() {
    this.text.addEventListener('input', () => this.sendWords(false));
    $('rt-flush').addEventListener('click', () => this.sendWords(true));
    $('rt-stop').addEventListener('click', () => this.stop());
    $('rt-disconnect').addEventListener('click', () => this.disconnect());
    this.voice.addEventListener('change', () => this.disconnect());
  }

  /** Sends every complete word not yet sent; `flush` also sends the last one and asks to speak now. */
  private sendWords(flush: boolean): void {
    const value = this.text.value;
    if (value.length < this.sent) this.sent = value.length;
    let pending = value.slice(this.sent);
    for (let m = WORD.exec(pending); m; m = WORD.exec(pending)) {
      this.send({ type: 'text', text: m[0] });
      this.sent += m[0].length;
      pending = pending.slice(m[0].length);
    }
    if (flush) {
      if (pending.trim()) this.send({ type: 'text', text: pending });
      this.sent = value.length;
      this.send({ type: 'flush' });
    }
  }

  private send(message: object): void {
    const data = JSON.stringify(message);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(data);
    else {
      this.outbox.push(data);
      this.connect();
    }
  }

  private connect(): void {
    if (this.ws && this.ws.readyState !== WebSocket.CLOSED) return;
    const key = keyStore.get();
    if (!key) {
      this.outbox = [];
      showMessage(describeError(new MissingKeyError()));
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Browsers cannot set headers on a WebSocket: the key goes as a subprotocol, never in the URL.
    const ws = new WebSocket(`${scheme}//${location.host}/v1/synthesize/ws`, [
      'callwaiting.v1',
      `bearer.${key}`,
    ]);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.decoder = chunkDecoder('pcm');
    this.setStatus('Connecting…');
    ws.addEventListener('open', () => {
      ws.send(
        JSON.stringify({
          type: 'config',
          voice_id: this.voice.value || undefined,
          format: 'pcm',
          sample_rate: SAMPLE_RATE,
        }),
      );
      for (const data of this.outbox.splice(0)) ws.send(data);
      this.setStatus('Connected: speaking as you type.');
    });
    ws.addEventListener('message', (e: MessageEvent<ArrayBuffer | string>) =>
      this.onMessage(e.data),
    );
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const why = e.code === 1000 ? 'Disconnected.' : closeReason(e);
      this.setStatus(why);
      if (e.code !== 1000 && e.code !== 1005) showMessage(why);
    });
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      if (this.clearing) return;
      this.frames++;
      this.player ??= new PcmPlayer(audioContext(), () => this.updatePlaying());
      this.player.enqueue(this.decoder.push(new Uint8Array(data)), SAMPLE_RATE);
      this.updatePlaying();
      return;
    }
    const message = JSON.parse(data) as { type: string; code?: string; message?: string };
    switch (message.type) {
      case 'cleared':
        this.clearing = false;
        this.status.dataset.cleared = 'true';
        this.setStatus('Stopped: queued audio cleared.');
        break;
      case 'error':
        showMessage(`${message.message ?? 'Realtime error'} (${message.code ?? 'error'}).`);
        break;
      case 'done':
        this.setStatus('Finished.');
        break;
      default:
        break;
    }
  }

  /** Barge-in: the server drops what it buffered; we silence what we queued and drop audio in flight. */
  private stop(): void {
    this.sent = this.text.value.length;
    this.outbox = [];
    this.player?.stop();
    this.decoder = chunkDecoder('pcm');
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.clearing = true;
      delete this.status.dataset.cleared;
      // Frames played up to the press: none may follow (the browser spec checks it).
      this.status.dataset.framesAtStop = String(this.frames);
      this.ws.send(JSON.stringify({ type: 'clear' }));
      this.setStatus('Stopping…');
    }
    this.updatePlaying();
  }

  private disconnect(): void {
    this.player?.stop();
    this.ws?.close(1000);
    this.ws = undefined;
    this.sent = this.text.value.length;
    this.setStatus('Not connected.');
  }

  private updatePlaying(): void {
    this.status.dataset.playing = String(this.player?.playing ?? false);
    this.status.dataset.frames = String(this.frames);
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.updatePlaying();
  }
}

function closeReason(e: CloseEvent): string {
  if (e.code === 1006)
    return 'The realtime connection was refused or lost. Check your API key, your quota and your concurrent-stream limit on the Usage screen, then type again to reconnect.';
  if (e.code === 1012) return 'The service is restarting: type again to reconnect.';
  return `The realtime connection closed (${e.code}${e.reason ? `: ${e.reason}` : ''}).`;
}
