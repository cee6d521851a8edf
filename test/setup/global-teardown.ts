export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __cwStopDb?: () => Promise<void> }).__cwStopDb?.();
}
