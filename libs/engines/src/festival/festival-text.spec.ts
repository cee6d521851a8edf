import { schemeString, toFestivalText } from './festival-text';

describe('toFestivalText', () => {
  it('keeps plain ASCII, one space between words', () => {
    expect(toFestivalText('  Hello,\n\tthank you  (really) "now"; ok\\ ')).toBe(
      'Hello, thank you (really) "now"; ok\\',
    );
  });

  it('folds accented Latin letters and typographic marks to ASCII', () => {
    expect(toFestivalText('Café Adé in Ọ̀yọ́, naïve façade')).toBe('Cafe Ade in Oyo, naive facade');
    expect(toFestivalText('Straße, Æsir, Łódź, ŋ')).toBe('Strasse, AEsir, Lodz, ng');
    expect(toFestivalText('“It’s” – done…')).toBe('"It\'s" - done...');
    expect(toFestivalText('₦500 or €20')).toBe('naira 500 or euros 20');
  });

  it('drops what has no ASCII spelling: other scripts, emoji, control characters', () => {
    expect(toFestivalText('Hello 你好 world 👋🏽 \u0007bye\u0000')).toBe('Hello world bye');
    expect(toFestivalText('日本語')).toBe('');
  });
});

describe('schemeString', () => {
  it('escapes only backslash and double quote', () => {
    expect(schemeString('say "hi" \\ (now);')).toBe('"say \\"hi\\" \\\\ (now);"');
  });

  it('refuses text that was not folded first', () => {
    expect(() => schemeString('line\nbreak')).toThrow(/printable ASCII/);
    expect(() => schemeString('é')).toThrow(/printable ASCII/);
  });
});
