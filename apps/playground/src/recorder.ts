import { audioContext } from './audio-context';
import { encodeWav } from './decoders';
import { $, showMessage } from './dom';
import type { VoicesPanel } from './voices';

const MIN_SECONDS = 3;
const MAX_SECONDS = 60;

/** Records a voice from the microphone (MediaRecorder), shows duration and level, uploads it as WAV. */
export class VoiceRecorder {
  private readonly start = $<HTMLButtonElement>('record-start');
  private readonly stopButton = $<HTMLButtonElement>('record-stop');
  private readonly duration = $('record-duration');
  private readonly level = $<HTMLMeterElement>('record-level');
  private readonly status = $('record-status');
  private recorder: MediaRecorder | undefined;
  private stream: MediaStream | undefined;
  private ticker: number | undefined;

  constructor(private readonly voices: VoicesPanel) {
    this.start.addEventListener('click', () => void this.begin());
    this.stopButton.addEventListener('click', () => this.recorder?.stop());
  }

  private async begin(): Promise<void> {
    const name = $<HTMLInputElement>('record-name').value.trim();
    if (!name) {
      this.say('Give the voice a name first.');
      $('record-name').focus();
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      this.say(
        `The microphone is not available: ${err instanceof Error ? err.message : String(err)}.`,
      );
      return;
    }
    const ctx = audioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    const input = ctx.createMediaStreamSource(this.stream);
    input.connect(analyser);
    const frame = new Float32Array(analyser.fftSize);

    const chunks: Blob[] = [];
    const recorder = new MediaRecorder(this.stream);
    this.recorder = recorder;
    recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
    const startedAt = performance.now();
    this.level.dataset.peak = '0';
    recorder.addEventListener('stop', () => {
      window.clearInterval(this.ticker);
      input.disconnect();
      for (const track of this.stream?.getTracks() ?? []) track.stop();
      this.level.value = 0;
      this.start.disabled = false;
      this.stopButton.disabled = true;
      void this.finish(
        new Blob(chunks, { type: recorder.mimeType }),
        (performance.now() - startedAt) / 1000,
        name,
      );
    });
    this.ticker = window.setInterval(() => {
      const s = (performance.now() - startedAt) / 1000;
      this.duration.textContent = `${s.toFixed(1)} s`;
      this.duration.dataset.seconds = s.toFixed(2);
      analyser.getFloatTimeDomainData(frame);
      let sum = 0;
      for (const v of frame) sum += v * v;
      this.level.value = Math.min(1, Math.sqrt(sum / frame.length) * 4);
      this.level.dataset.peak = String(
        Math.max(Number(this.level.dataset.peak ?? 0), this.level.value),
      );
      if (s >= MAX_SECONDS) recorder.stop();
    }, 100);
    recorder.start(250);
    this.start.disabled = true;
    this.stopButton.disabled = false;
    this.stopButton.focus();
    this.say('Recording… speak now.');
  }

  /** Decodes what MediaRecorder made (WebM/Opus in Chromium) and uploads it as a WAV file. */
  private async finish(recording: Blob, elapsed: number, name: string): Promise<void> {
    // Refused before decoding: a very short recording may hold no complete frame to decode at all.
    if (elapsed < MIN_SECONDS) {
      this.refuseShort(elapsed);
      return;
    }
    let audio: AudioBuffer;
    try {
      audio = await audioContext().decodeAudioData(await recording.arrayBuffer());
    } catch {
      this.say('The recording could not be decoded by this browser; upload a file instead.');
      return;
    }
    if (audio.duration < MIN_SECONDS) {
      this.refuseShort(audio.duration);
      return;
    }
    this.say(`Uploading ${audio.duration.toFixed(1)} s…`);
    const wav = encodeWav(audio.getChannelData(0), audio.sampleRate);
    const ok = await this.voices.upload(
      new Blob([wav as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }),
      'recording.wav',
      name,
    );
    this.say(
      ok
        ? `Uploaded “${name}” (${audio.duration.toFixed(1)} s).`
        : 'The upload was refused; see the message above.',
    );
  }

  private refuseShort(seconds: number): void {
    this.say(
      `The recording is ${seconds.toFixed(1)} s long: record at least ${MIN_SECONDS} seconds. Nothing was uploaded.`,
    );
  }

  private say(text: string): void {
    this.status.textContent = text;
    if (text.includes('could not') || text.includes('not available')) showMessage(text);
  }
}
