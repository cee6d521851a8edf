import { parseEnginesFile, validateEngines } from './engines-config';

const TYPES = ['espeak', 'xtts', 'openai'];

describe('parseEnginesFile', () => {
  it('reads YAML and JSON entries into specs', () => {
    const yaml = parseEnginesFile(
      [
        'engines:',
        '  - id: kokoro',
        '    type: openai',
        '    url: http://kokoro:8880/v1',
        '    voices: af_heart, am_adam',
        '    concurrency: 2',
        '  - id: gpu',
        '    type: xtts',
        '    urls: [http://a:8000, http://b:8000]',
        'builtin_voices:',
        '  naija_female: { engine: kokoro, voice: af_heart }',
      ].join('\n'),
      'engines.yaml',
    );
    expect(yaml.engines).toEqual([
      {
        id: 'kokoro',
        type: 'openai',
        url: 'http://kokoro:8880/v1',
        voices: ['af_heart', 'am_adam'],
        concurrency: 2,
      },
      { id: 'gpu', type: 'xtts', urls: ['http://a:8000', 'http://b:8000'] },
    ]);
    expect(yaml.builtinVoices).toEqual({ naija_female: { engine: 'kokoro', voice: 'af_heart' } });
    const json = parseEnginesFile(
      '{"engines":[{"id":"up","type":"openai","url":"http://x/v1","format":"wav"}]}',
      'e.json',
    );
    expect(json.engines[0]).toEqual({
      id: 'up',
      type: 'openai',
      url: 'http://x/v1',
      format: 'wav',
    });
  });

  it('names the file and field of each mistake', () => {
    expect(() => parseEnginesFile('engines: [{id: up, type: openai, ur: x}]', 'f.yaml')).toThrow(
      /f\.yaml: engines\[0\] \(up\): unknown field "ur"/,
    );
    expect(() => parseEnginesFile('engines: [{id: Up, type: openai}]', 'f.yaml')).toThrow(
      /engines\[0\]\.id must be a lower-case name/,
    );
    expect(() =>
      parseEnginesFile('engines: [{id: up, type: openai, url: ftp://x}]', 'f.yaml'),
    ).toThrow(/url must be an http\(s\) URL/);
    expect(() =>
      parseEnginesFile('engines: [{id: up, type: openai, concurrency: 0}]', 'f.yaml'),
    ).toThrow(/concurrency must be a whole number from 1 to 256/);
    expect(() => parseEnginesFile('engines: [', 'f.yaml')).toThrow(/not valid JSON or YAML/);
  });
});

describe('validateEngines', () => {
  it('refuses unknown types, missing urls, duplicate ids, dangling fallbacks and mappings', () => {
    const check =
      (engines: object[], builtinVoices = {}) =>
      () =>
        validateEngines({ engines: engines as never, builtinVoices }, TYPES);
    expect(check([{ id: 'a', type: 'piper' }])).toThrow(
      'Engine "a" has unknown type "piper"; known types: espeak, xtts, openai',
    );
    expect(check([{ id: 'a', type: 'openai' }])).toThrow('Engine "a" (openai) needs url (or urls)');
    expect(
      check([
        { id: 'a', type: 'openai', url: 'http://x' },
        { id: 'a', type: 'openai', url: 'http://y' },
      ]),
    ).toThrow('Engine id "a" is configured twice');
    expect(check([{ id: 'a', type: 'openai', url: 'http://x', fallback: ['b'] }])).toThrow(
      /falls back to "b", which is not configured/,
    );
    expect(check([{ id: 'espeak', type: 'espeak' }], { x: { engine: 'z', voice: 'v' } })).toThrow(
      /Built-in voice "x" is mapped to engine "z", which is not configured/,
    );
  });
});
