import { createEngine, ENGINE_NAMES } from './engine.factory';
import { EspeakEngine } from './espeak/espeak.engine';

describe('createEngine', () => {
  it('builds the eSpeak engine without starting it', () => {
    const engine = createEngine('espeak', { espeak: { poolSize: 1 } });
    expect(engine).toBeInstanceOf(EspeakEngine);
    expect(engine.id).toBe('espeak');
    expect(engine.health().modelLoaded).toBe(false);
  });

  it('names the unknown engine and lists the known ones', () => {
    expect(ENGINE_NAMES).toContain('espeak');
    expect(() => createEngine('festival')).toThrow(
      'Unknown TTS engine "festival"; known engines: espeak',
    );
    expect(() => createEngine('toString')).toThrow(/Unknown TTS engine "toString"/);
  });
});
