import { createEngine, ENGINE_NAMES } from './engine.factory';
import { EspeakEngine } from './espeak/espeak.engine';
import { FestivalEngine } from './festival/festival.engine';

describe('createEngine', () => {
  it('builds the eSpeak engine without starting it', () => {
    const engine = createEngine('espeak', { espeak: { poolSize: 1 } });
    expect(engine).toBeInstanceOf(EspeakEngine);
    expect(engine.id).toBe('espeak');
    expect(engine.health().modelLoaded).toBe(false);
  });

  it('builds the Festival engine from its own options', () => {
    const engine = createEngine('festival', { festival: { poolSize: 3, voice: 'kal_diphone' } });
    expect(engine).toBeInstanceOf(FestivalEngine);
    expect(engine.capabilities.parallelism).toBe(3);
    expect(engine.health().modelLoaded).toBe(false);
  });

  it('names the unknown engine and lists the known ones', () => {
    expect(ENGINE_NAMES).toEqual(expect.arrayContaining(['espeak', 'xtts', 'openai', 'festival']));
    expect(() => createEngine('piper')).toThrow(
      'Unknown TTS engine "piper"; known engines: espeak, xtts, openai, festival',
    );
    expect(() => createEngine('toString')).toThrow(/Unknown TTS engine "toString"/);
  });
});
