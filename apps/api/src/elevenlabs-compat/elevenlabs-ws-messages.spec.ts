import { parseClientMessage } from './elevenlabs-ws-messages';

describe('ElevenLabs WebSocket messages: pronunciation_dictionary_locators', () => {
  const parse = (message: Record<string, unknown>) => parseClientMessage(JSON.stringify(message));

  it('names our dictionaries in order; version_id is accepted; absent and null are not given', () => {
    expect(
      parse({
        text: ' ',
        pronunciation_dictionary_locators: [
          { pronunciation_dictionary_id: 'pd_a', version_id: 'v3' },
          { pronunciation_dictionary_id: 'pd_b' },
        ],
      }).dictionaryIds,
    ).toEqual(['pd_a', 'pd_b']);
    expect(parse({ text: ' ', pronunciation_dictionary_locators: [] }).dictionaryIds).toEqual([]);
    expect(parse({ text: ' ' }).dictionaryIds).toBeUndefined();
    expect(
      parse({ text: ' ', pronunciation_dictionary_locators: null }).dictionaryIds,
    ).toBeUndefined();
  });

  it('refuses a malformed list with invalid_message and a message that says what to fix', () => {
    const cases: [unknown, RegExp][] = [
      ['pd_a', /must be an array/],
      [[{ version_id: 'v1' }], /needs "pronunciation_dictionary_id"/],
      [[{ pronunciation_dictionary_id: 7 }], /needs "pronunciation_dictionary_id"/],
      [[null], /needs "pronunciation_dictionary_id"/],
      [
        ['a', 'b', 'c', 'd'].map((id) => ({ pronunciation_dictionary_id: id })),
        /at most 3 dictionaries/,
      ],
    ];
    for (const [locators, message] of cases) {
      expect(() => parse({ text: ' ', pronunciation_dictionary_locators: locators })).toThrow(
        expect.objectContaining({
          code: 'invalid_message',
          message: expect.stringMatching(message),
        }),
      );
    }
  });
});
