/** Where reference audio lives. Keys are built from server-side UUIDs only, never client input. */
export interface VoiceStorage {
  readonly kind: 'local' | 's3';
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export const VOICE_STORAGE = Symbol('VOICE_STORAGE');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `<tenant uuid>/<voice uuid>.wav`; refuses anything but UUIDs so no name can reach a path. */
export function referenceKey(tenantUuid: string, voiceUuid: string): string {
  if (!UUID.test(tenantUuid) || !UUID.test(voiceUuid))
    throw new Error('storage keys are built from UUIDs only');
  return `${tenantUuid}/${voiceUuid}.wav`;
}
