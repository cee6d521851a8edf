import { apiFetch, apiJson, describeError, jsonBody } from './api';
import { $, clearMessage, el, showMessage } from './dom';

export interface Voice {
  voice_id: string;
  name: string;
  language: string;
  engine: string;
  source: 'builtin' | 'uploaded' | 'engine';
  cloning: string;
  gender: string | null;
  duration_s: number | null;
}

const SAMPLE_TEXT = 'Good afternoon, thank you for calling. How may I help you today?';

/** The Voices screen: every voice the key can use, samples, uploads, renames and deletes. */
export class VoicesPanel {
  private voices: Voice[] = [];
  private readonly body = $('voices-table').querySelector('tbody')!;
  private readonly sample = $<HTMLAudioElement>('sample-audio');
  private sampleUrl: string | undefined;

  constructor() {
    this.render();
    $<HTMLFormElement>('upload-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.uploadFile();
    });
  }

  async refresh(): Promise<void> {
    try {
      this.voices = await apiJson<Voice[]>('/v1/voices');
    } catch (err) {
      this.voices = [];
      showMessage(describeError(err));
    }
    this.render();
  }

  clear(): void {
    this.voices = [];
    this.render();
  }

  /** Uploads audio as a new voice; true when it was accepted. */
  async upload(file: Blob, fileName: string, name: string, gender = ''): Promise<boolean> {
    const form = new FormData();
    form.append('name', name);
    if (gender) form.append('gender', gender);
    form.append('voice_file', file, fileName);
    try {
      const voice = await apiJson<Voice & { message: string }>('/v1/voices/upload', {
        method: 'POST',
        body: form,
      });
      showMessage(`${voice.message}: “${voice.name}” (${voice.voice_id}).`, 'info');
      await this.refresh();
      return true;
    } catch (err) {
      showMessage(describeError(err));
      return false;
    }
  }

  private async uploadFile(): Promise<void> {
    clearMessage();
    const file = $<HTMLInputElement>('upload-file').files?.[0];
    const name = $<HTMLInputElement>('upload-name').value.trim();
    if (!file || !name) {
      showMessage('Choose an audio file and give the voice a name.');
      return;
    }
    const button = $<HTMLButtonElement>('upload-submit');
    button.disabled = true;
    try {
      if (await this.upload(file, file.name, name, $<HTMLSelectElement>('upload-gender').value))
        $<HTMLFormElement>('upload-form').reset();
    } finally {
      button.disabled = false;
    }
  }

  private render(): void {
    this.body.replaceChildren(...this.voices.map((v) => this.row(v)));
    for (const picker of document.querySelectorAll<HTMLSelectElement>('.voice-picker'))
      fillPicker(picker, this.voices);
  }

  private row(v: Voice): HTMLTableRowElement {
    const actions = el('div');
    const play = el(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': `Play a sample of ${v.name}` },
      'Play sample',
    );
    play.addEventListener('click', () => void this.playSample(v, play));
    actions.append(play);
    if (v.source !== 'builtin') {
      const rename = el(
        'button',
        { type: 'button', class: 'secondary', 'aria-label': `Rename ${v.name}` },
        'Rename',
      );
      rename.addEventListener('click', () => this.startRename(row, v));
      const del = el(
        'button',
        { type: 'button', class: 'danger', 'aria-label': `Delete ${v.name}` },
        'Delete',
      );
      del.addEventListener('click', () => void this.remove(v));
      actions.append(rename, del);
    }
    const kind = v.source === 'builtin' ? 'built-in' : `yours, cloning ${v.cloning}`;
    const row = el(
      'tr',
      { 'data-voice-id': v.voice_id },
      el(
        'td',
        {},
        el('span', { class: 'voice-name' }, v.name),
        el('br'),
        el('code', {}, v.voice_id),
      ),
      el('td', {}, v.engine),
      el('td', {}, v.language),
      el('td', {}, kind),
      el('td', { class: 'row-actions' }, actions),
    );
    return row;
  }

  private async playSample(v: Voice, button: HTMLButtonElement): Promise<void> {
    clearMessage();
    button.disabled = true;
    try {
      const res = await apiFetch(
        '/v1/synthesize',
        jsonBody({ text: SAMPLE_TEXT, voice_id: v.voice_id, format: 'wav' }),
      );
      if (this.sampleUrl) URL.revokeObjectURL(this.sampleUrl);
      this.sampleUrl = URL.createObjectURL(await res.blob());
      this.sample.src = this.sampleUrl;
      this.sample.hidden = false;
      this.sample.setAttribute('aria-label', `Sample of ${v.name}`);
      await this.sample.play();
    } catch (err) {
      showMessage(describeError(err));
    } finally {
      button.disabled = false;
    }
  }

  private startRename(row: HTMLTableRowElement, v: Voice): void {
    const cell = row.cells[0];
    const input = el('input', {
      type: 'text',
      maxlength: '200',
      'aria-label': `New name for ${v.name}`,
    });
    input.value = v.name;
    const save = el('button', { type: 'submit' }, 'Save');
    const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = el('form', { class: 'rename' }, input, save, cancel);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.rename(v, input.value.trim());
    });
    cancel.addEventListener('click', () => this.render());
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.render();
    });
    cell.replaceChildren(form);
    input.focus();
    input.select();
  }

  private async rename(v: Voice, name: string): Promise<void> {
    if (!name) return;
    try {
      await apiJson<Voice>(`/v1/voices/${encodeURIComponent(v.voice_id)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      showMessage(`Renamed to “${name}”.`, 'info');
    } catch (err) {
      showMessage(describeError(err));
    }
    await this.refresh();
  }

  private async remove(v: Voice): Promise<void> {
    if (!window.confirm(`Delete the voice “${v.name}” (${v.voice_id})? This cannot be undone.`))
      return;
    try {
      await apiFetch(`/v1/voices/${encodeURIComponent(v.voice_id)}`, { method: 'DELETE' });
      showMessage(`Deleted “${v.name}”.`, 'info');
    } catch (err) {
      showMessage(describeError(err));
    }
    await this.refresh();
  }
}

function fillPicker(picker: HTMLSelectElement, voices: Voice[]): void {
  const selected = picker.value;
  const group = (label: string, list: Voice[]) => {
    const g = el('optgroup', { label });
    for (const v of list) {
      const option = el('option', { value: v.voice_id }, `${v.name} — ${v.engine}, ${v.language}`);
      g.append(option);
    }
    return g;
  };
  const builtins = voices.filter((v) => v.source === 'builtin');
  const own = voices.filter((v) => v.source !== 'builtin');
  picker.replaceChildren();
  if (voices.length === 0) picker.append(el('option', { value: '' }, 'Default voice'));
  if (builtins.length) picker.append(group('Built-in', builtins));
  if (own.length) picker.append(group('Your voices', own));
  if (voices.some((v) => v.voice_id === selected)) picker.value = selected;
}
