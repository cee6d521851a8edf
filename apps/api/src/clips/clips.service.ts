import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import type { RequestContext } from '../common/request-context/request-context';
import { SynthesisRunner } from '../synthesis/synthesis-runner';
import { CLIP_STORAGE, clipKey, type ClipStorage } from './clip-storage';
import { CLIP_URL_SIGNER, type ClipUrlSigner } from './clip-url-signer';
import { ClipsRepository } from './clips.repository';
import { ClipErrorCode, ClipException } from './clips.exception';
import type { ClipUrlDto, SynthesizeUrlDto } from './dto/clip.dto';

export interface ClipAudio {
  audio: Buffer;
  contentType: string;
  durationMs: number;
  expiresAt: Date;
}

function isMissingObject(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown };
  return e?.code === 'ENOENT' || e?.name === 'NoSuchKey';
}

@Injectable()
export class ClipsService implements OnModuleInit {
  private readonly logger = new Logger('Clips');

  constructor(
    private readonly runner: SynthesisRunner,
    private readonly clips: ClipsRepository,
    @Inject(CLIP_STORAGE) private readonly storage: ClipStorage,
    @Inject(CLIP_URL_SIGNER) private readonly signer: ClipUrlSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.clips.urlSecret) {
      this.logger.warn(
        'SIGNED_URL_SECRET is not set: clip URLs are signed with a random secret made at boot, ' +
          'so they stop working after a restart and are refused by other replicas',
      );
    }
  }

  /**
   * Synthesizes the whole file, stores it and returns a signed URL for it. `requestBaseUrl`
   * (the caller's scheme and host) is used only when PUBLIC_BASE_URL is unset.
   */
  createClip(
    auth: RequestContext,
    dto: SynthesizeUrlDto,
    requestBaseUrl: string,
    signal: AbortSignal,
  ): Promise<ClipUrlDto> {
    const ttlS = dto.ttl_s ?? this.config.clips.urlTtlS;
    return this.runner.whole(auth, dto, 'synthesize-url', signal, async (speech) => {
      const id = randomUUID();
      const storageKey = clipKey(auth.tenant.id, id, speech.profile.format);
      // Whole seconds in the URL, rounded up so the clip lives at least ttl_s.
      const expiresS = Math.ceil(Date.now() / 1000) + ttlS;
      const expiresAt = new Date(expiresS * 1000);
      // Row before file: every stored file has a row, so the sweeper finds it even after a crash.
      await this.clips.insertClip({
        id,
        tenantUuid: auth.tenant.id,
        storageKey,
        contentType: speech.contentType,
        bytes: speech.audio.length,
        durationMs: speech.durationMs,
        expiresAt,
      });
      try {
        await this.storage.put(storageKey, speech.audio);
      } catch (err) {
        await this.clips.deleteClips([id]).catch((cleanup: unknown) => {
          this.logger.warn({ err: cleanup, clip_id: id }, 'could not remove a clip row');
        });
        throw err;
      }
      return {
        id,
        url: this.urlFor(this.config.publicBaseUrl ?? requestBaseUrl, id, expiresS),
        expires_at: expiresAt.toISOString(),
        content_type: speech.contentType,
        duration_s: speech.durationMs / 1000,
      };
    });
  }

  /**
   * The audio behind a signed URL. The signature is checked before anything else (no database
   * lookup for forged URLs); a URL past its expiry, or a clip past its own, is refused.
   */
  async openClip(id: string, expires: unknown, signature: unknown): Promise<ClipAudio> {
    if (!this.signer.verify(id, expires, signature)) {
      throw new ClipException(ClipErrorCode.InvalidSignature, 'Invalid or tampered URL signature');
    }
    const now = Date.now();
    if (Number(expires) * 1000 <= now) {
      throw new ClipException(ClipErrorCode.UrlExpired, 'This audio URL has expired');
    }
    const clip = await this.clips.findClip(id);
    if (clip && clip.expiresAt.getTime() <= now) {
      throw new ClipException(ClipErrorCode.UrlExpired, 'This audio URL has expired');
    }
    const notFound = new ClipException(ClipErrorCode.NotFound, 'This audio no longer exists');
    if (!clip) throw notFound;
    try {
      const audio = await this.storage.get(clip.storageKey);
      return {
        audio,
        contentType: clip.contentType,
        durationMs: clip.durationMs,
        expiresAt: clip.expiresAt,
      };
    } catch (err) {
      if (isMissingObject(err)) throw notFound;
      throw err;
    }
  }

  private urlFor(base: string, id: string, expiresS: number): string {
    const signature = this.signer.sign(id, expiresS);
    return `${base.replace(/\/+$/, '')}/v1/audio/${id}?expires=${expiresS}&signature=${signature}`;
  }
}
