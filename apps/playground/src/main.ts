import { ApiError, apiJson, describeError, keyStore } from './api';
import { $, clearMessage, showMessage } from './dom';
import { RealtimePanel } from './realtime';
import { VoiceRecorder } from './recorder';
import { SpeakPanel } from './speak';
import { setUpTabs } from './tabs';
import { UsagePanel } from './usage';
import { VoicesPanel } from './voices';

interface TenantStats {
  tenant_id: string;
  name: string;
}

const speak = new SpeakPanel();
const voices = new VoicesPanel();
new VoiceRecorder(voices);
new RealtimePanel();
const usage = new UsagePanel();

setUpTabs($('tabs-list'), (panel) => {
  if (!keyStore.get()) return;
  if (panel === 'panel-usage') void usage.refresh();
  if (panel === 'panel-voices') void voices.refresh();
});

/** Checks a key against the service before keeping it, so a wrong one is reported at once. */
async function useKey(key: string): Promise<void> {
  const status = $('key-status');
  clearMessage();
  status.textContent = 'Checking the key…';
  try {
    const stats = await apiJson<TenantStats>('/v1/tenant/stats', { key });
    keyStore.set(key);
    status.textContent = `Using ${stats.name} (${stats.tenant_id}).`;
    status.dataset.tenant = stats.tenant_id;
    $<HTMLInputElement>('api-key').value = '';
    $<HTMLInputElement>('api-key').placeholder = 'Key in use; enter another to switch';
    await voices.refresh();
    speak.onKeyChanged();
  } catch (err) {
    // A remembered key that stopped working is dropped; a key already in use stays in use.
    if (keyStore.get() === key && err instanceof ApiError && err.status === 401) keyStore.clear();
    if (!keyStore.get()) {
      status.textContent = 'No key in use.';
      delete status.dataset.tenant;
    } else status.textContent = status.textContent.replace('Checking the key…', '');
    showMessage(describeError(err));
  }
}

function forgetKey(): void {
  keyStore.clear();
  $('key-status').textContent = 'Key forgotten.';
  delete $('key-status').dataset.tenant;
  $<HTMLInputElement>('api-key').placeholder = 'cw_live_…';
  voices.clear();
  usage.clear();
  speak.onKeyChanged();
}

$<HTMLFormElement>('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $<HTMLInputElement>('api-key').value.trim();
  if (!key) {
    showMessage('Enter an API key (it starts with cw_live_).');
    return;
  }
  void useKey(key);
});
$('key-forget').addEventListener('click', forgetKey);

const saved = keyStore.get();
if (saved) void useKey(saved);
