import {
  cardinalWords,
  decimalWords,
  digitWords,
  numberWords,
  ordinalWords,
  yearWords,
} from './number-words';

describe('cardinalWords', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['13', 'thirteen'],
    ['40', 'forty'],
    ['99', 'ninety-nine'],
    ['100', 'one hundred'],
    ['105', 'one hundred and five'],
    ['250', 'two hundred and fifty'],
    ['1000', 'one thousand'],
    ['1005', 'one thousand and five'],
    ['1250', 'one thousand two hundred and fifty'],
    ['12345', 'twelve thousand three hundred and forty-five'],
    ['100000', 'one hundred thousand'],
    ['1000050', 'one million and fifty'],
    ['2500000', 'two million five hundred thousand'],
    ['3000000000', 'three billion'],
    ['0042', 'forty-two'],
  ])('%s → %s', (digits, words) => {
    expect(cardinalWords(digits)).toBe(words);
  });

  it('accepts numbers', () => {
    expect(cardinalWords(21)).toBe('twenty-one');
  });

  it('reads integers too long to be quantities digit by digit', () => {
    expect(cardinalWords('1234567890123456')).toBe(
      'one two three four five six seven eight nine zero one two three four five six',
    );
  });

  it('rejects text that is not an integer', () => {
    expect(() => cardinalWords('12a')).toThrow(RangeError);
  });
});

describe('ordinalWords', () => {
  it.each([
    [1, 'first'],
    [2, 'second'],
    [3, 'third'],
    [5, 'fifth'],
    [8, 'eighth'],
    [9, 'ninth'],
    [12, 'twelfth'],
    [20, 'twentieth'],
    [22, 'twenty-second'],
    [31, 'thirty-first'],
    [100, 'one hundredth'],
    [101, 'one hundred and first'],
  ])('%d → %s', (n, words) => {
    expect(ordinalWords(n)).toBe(words);
  });
});

describe('numberWords', () => {
  it.each([
    ['1,250', 'one thousand two hundred and fifty'],
    ['3.5', 'three point five'],
    ['3.14', 'three point one four'],
    ['0.05', 'zero point zero five'],
    ['-7', 'minus seven'],
    ['007', 'zero zero seven'],
    ['1,000,000', 'one million'],
  ])('%s → %s', (text, words) => {
    expect(numberWords(text)).toBe(words);
  });

  it.each(['abc', '1,25', '1.2.3', ''])('returns null for %j', (text) => {
    expect(numberWords(text)).toBeNull();
  });
});

describe('digitWords and decimalWords', () => {
  it('reads each digit and drops separators', () => {
    expect(digitWords('080-3')).toBe('zero eight zero three');
  });

  it('reads the fraction digit by digit', () => {
    expect(decimalWords('12', '50')).toBe('twelve point five zero');
  });
});

describe('yearWords', () => {
  it.each([
    [1999, 'nineteen ninety-nine'],
    [1900, 'nineteen hundred'],
    [1905, 'nineteen oh five'],
    [2000, 'two thousand'],
    [2005, 'two thousand and five'],
    [2010, 'twenty ten'],
    [2024, 'twenty twenty-four'],
    [1066, 'ten sixty-six'],
    [999, 'nine hundred and ninety-nine'],
  ])('%d → %s', (year, words) => {
    expect(yearWords(year)).toBe(words);
  });
});
