import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __cwStopDb?: () => Promise<void> }).__cwStopDb?.();
  const storage = process.env.VOICE_STORAGE_DIR;
  if (storage) rmSync(storage, { recursive: true, force: true });
}
