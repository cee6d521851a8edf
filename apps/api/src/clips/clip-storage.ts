import type { Provider } from '@nestjs/common';
import type { AudioFormat } from '@cw/audio';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { LocalVoiceStorage } from '../voices/storage/local-voice-storage';
import { S3VoiceStorage } from '../voices/storage/s3-voice-storage';
import type { VoiceStorage } from '../voices/storage/voice-storage';

/** Clips live beside voice references (same directory or bucket) under their own prefix. */
export type ClipStorage = VoiceStorage;
export const CLIP_STORAGE = Symbol('CLIP_STORAGE');

export const clipStorageProvider: Provider = {
  provide: CLIP_STORAGE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): ClipStorage =>
    config.storage.s3
      ? new S3VoiceStorage(config.storage.s3)
      : new LocalVoiceStorage(config.storage.localDir),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const EXTENSION: Record<AudioFormat, string> = {
  wav: 'wav',
  pcm: 'pcm',
  mulaw: 'ulaw',
  alaw: 'alaw',
  mp3: 'mp3',
};

/** `clips/<tenant uuid>/<clip uuid>.<ext>`, from server-side UUIDs only. */
export function clipKey(tenantUuid: string, clipId: string, format: AudioFormat): string {
  if (!UUID.test(tenantUuid) || !UUID.test(clipId))
    throw new Error('storage keys are built from UUIDs only');
  return `clips/${tenantUuid}/${clipId}.${EXTENSION[format]}`;
}
