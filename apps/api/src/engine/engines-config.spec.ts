import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@cw/config';
import { EngineRegistry } from '@cw/engines';
import { enginesConfigFrom } from './engines-config';

describe('enginesConfigFrom (what EngineModule builds the registry from at boot)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cw-engines-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const path = join(dir, 'engines.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('a mistake in ENGINES_FILE stops boot naming the file and field', () => {
    const bad = file('engines:\n  - id: kokoro\n    type: openai\n    ulr: http://x/v1\n');
    expect(() => enginesConfigFrom(loadConfig({ ENGINES_FILE: bad }))).toThrow(
      /engines\.yaml: engines\[0\] \(kokoro\): unknown field "ulr"/,
    );
    expect(() => enginesConfigFrom(loadConfig({ ENGINES_FILE: join(dir, 'none.yaml') }))).toThrow(
      /ENGINES_FILE .*none\.yaml cannot be read/,
    );
  });

  it('an unknown type or default engine stops boot listing the known ones', () => {
    const piper = file('engines:\n  - id: kokoro\n    type: piper\n    url: http://x/v1\n');
    expect(
      () => new EngineRegistry(enginesConfigFrom(loadConfig({ ENGINES_FILE: piper }))),
    ).toThrow('Engine "kokoro" has unknown type "piper"; known types: espeak, xtts, openai');
    expect(
      () =>
        new EngineRegistry(enginesConfigFrom(loadConfig({})), {
          defaultEngine: 'kokoro',
        }),
    ).toThrow('TTS_ENGINE "kokoro" is not a configured engine; configured: espeak');
  });

  it('the environment adds xtts (XTTS_URL) and openai (UPSTREAM_OPENAI_URL) after the file', () => {
    const path = file('engines:\n  - id: kokoro\n    type: openai\n    url: http://k/v1\n');
    const config = enginesConfigFrom(
      loadConfig({
        ENGINES_FILE: path,
        XTTS_URL: 'http://gpu:8000',
        XTTS_FALLBACK: 'embedded',
        UPSTREAM_OPENAI_URL: 'http://up/v1',
        UPSTREAM_OPENAI_API_KEY: 'sk-1',
      }),
    );
    expect(config.engines.map((e) => [e.id, e.type])).toEqual([
      ['kokoro', 'openai'],
      ['xtts', 'xtts'],
      ['openai', 'openai'],
    ]);
    expect(config.engines[1].fallback).toEqual(['espeak']);
    expect(config.engines[2]).toMatchObject({ url: 'http://up/v1', key: 'sk-1', model: 'tts-1' });
  });
});
