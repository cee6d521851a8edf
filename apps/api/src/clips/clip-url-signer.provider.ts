import type { Provider } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { CLIP_URL_SIGNER, ClipUrlSigner } from './clip-url-signer';

/** SIGNED_URL_SECRET, or a random per-process secret (ClipsService warns about it at boot). */
export const clipUrlSignerProvider: Provider = {
  provide: CLIP_URL_SIGNER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): ClipUrlSigner =>
    new ClipUrlSigner(
      config.clips.urlSecret ? Buffer.from(config.clips.urlSecret, 'utf8') : randomBytes(32),
    ),
};
