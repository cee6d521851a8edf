import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePls, PlsError, serializePls } from './pls';

const fixture = readFileSync(join(__dirname, '__fixtures__', 'nigerian-names.pls'), 'utf8');

describe('parsePls', () => {
  it('reads a real PLS file: namespaces, several graphemes, phoneme with alias, x-sampa, CDATA', () => {
    expect(parsePls(fixture, 100)).toEqual({
      language: 'en-NG',
      rules: [
        {
          type: 'phoneme',
          stringToReplace: 'Chukwuemeka',
          phoneme: 'tʃukwuˈɛmɛka',
          alphabet: 'ipa',
          alias: 'Chook-woo-emeka',
        },
        {
          type: 'phoneme',
          stringToReplace: 'Chukwu-Emeka',
          phoneme: 'tʃukwuˈɛmɛka',
          alphabet: 'ipa',
          alias: 'Chook-woo-emeka',
        },
        { type: 'alias', stringToReplace: 'GTB', alias: 'Guaranty Trust Bank' },
        { type: 'phoneme', stringToReplace: 'Ikeja', phoneme: 'i"kEdZa', alphabet: 'x-sampa' },
        { type: 'alias', stringToReplace: 'AT&T', alias: 'A T and T' },
      ],
    });
  });

  it('matches elements by namespace, whatever their prefix', () => {
    const xml =
      '<pls:lexicon version="1.0" xmlns:pls="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa">' +
      '<pls:lexeme><pls:grapheme>Ade</pls:grapheme><pls:phoneme>adɛ</pls:phoneme></pls:lexeme>' +
      '<other:lexeme xmlns:other="urn:x"><other:grapheme>No</other:grapheme></other:lexeme>' +
      '</pls:lexicon>';
    expect(parsePls(xml, 10).rules).toEqual([
      { type: 'phoneme', stringToReplace: 'Ade', phoneme: 'adɛ', alphabet: 'ipa' },
    ]);
  });

  it.each([
    ['not XML', 'hello', /Invalid PLS at line 1/],
    ['another root', '<speak>hi</speak>', /root element must be <lexicon>/],
    [
      'a lexeme with nothing to say',
      '<lexicon version="1.0"><lexeme><grapheme>A</grapheme></lexeme></lexicon>',
      /neither a <phoneme> nor an <alias>/,
    ],
    [
      'a lexeme without grapheme',
      '<lexicon version="1.0"><lexeme><alias>x</alias></lexeme></lexicon>',
      /at least one <grapheme>/,
    ],
    [
      'an unknown alphabet',
      '<lexicon version="1.0" alphabet="arpabet"><lexeme><grapheme>A</grapheme><phoneme>EY1</phoneme></lexeme></lexicon>',
      /alphabet "arpabet" must be ipa or x-sampa/,
    ],
    [
      'too many rules',
      '<lexicon version="1.0"><lexeme><grapheme>A</grapheme><grapheme>B</grapheme><alias>x</alias></lexeme></lexicon>',
      /more than 1 rules/,
    ],
  ])('refuses %s with the position', (_name, xml, message) => {
    expect(() => parsePls(xml, 1)).toThrow(PlsError);
    expect(() => parsePls(xml, 1)).toThrow(message);
  });

  it('writes PLS that reads back as the same rules', () => {
    const { rules } = parsePls(fixture, 100);
    const xml = serializePls(rules, 'en-NG');
    expect(xml).toContain('xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"');
    expect(xml).toContain('<grapheme>AT&amp;T</grapheme>');
    expect(parsePls(xml, 100)).toEqual({ language: 'en-NG', rules });
  });
});
