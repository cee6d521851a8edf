import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { LocalVoiceStorage } from './local-voice-storage';
import { S3VoiceStorage } from './s3-voice-storage';
import { VOICE_STORAGE, type VoiceStorage } from './voice-storage';

/** S3 when S3_BUCKET is set, otherwise the local directory VOICE_STORAGE_DIR. */
export const voiceStorageProvider: Provider = {
  provide: VOICE_STORAGE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): VoiceStorage =>
    config.storage.s3
      ? new S3VoiceStorage(config.storage.s3)
      : new LocalVoiceStorage(config.storage.localDir),
};
