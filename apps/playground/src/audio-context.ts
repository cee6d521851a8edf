let shared: AudioContext | undefined;

/** One AudioContext for the page, created on the first click that needs sound. */
export function audioContext(): AudioContext {
  shared ??= new AudioContext();
  if (shared.state === 'suspended') void shared.resume();
  return shared;
}
