import { expandYear } from './date-time';
import { groupDigits, telephoneWords } from './phone';
import { renderSayAs } from './say-as';

describe('renderSayAs', () => {
  it.each([
    ['characters', 'NEPA', undefined, 'N E P A'],
    ['spell-out', 'ab-12', undefined, 'A B dash one two'],
    ['verbatim', 'x y', undefined, 'X Y'],
    ['cardinal', '1,250', undefined, 'one thousand two hundred and fifty'],
    ['number', '42', undefined, 'forty-two'],
    ['number', '3', 'ordinal', 'third'],
    ['number', '123', 'digits', 'one two three'],
    ['cardinal', 'lots', undefined, 'lots'],
    ['ordinal', '22', undefined, 'twenty-second'],
    ['ordinal', '3rd', undefined, 'third'],
    ['digits', '2024', undefined, 'two zero two four'],
    [
      'telephone',
      '08031234567',
      undefined,
      'zero eight zero three, one two three, four five six seven',
    ],
    [
      'telephone',
      '+234 803 123 4567',
      undefined,
      'plus two three four, eight zero three, one two three, four five six seven',
    ],
    ['date', '25/12/2024', undefined, 'the twenty-fifth of December, twenty twenty-four'],
    ['date', '2024-12-25', undefined, 'the twenty-fifth of December, twenty twenty-four'],
    ['date', '12/25/2024', 'mdy', 'the twenty-fifth of December, twenty twenty-four'],
    ['date', '03/04/2025', 'dmy', 'the third of April, twenty twenty-five'],
    ['date', '03/04/2025', 'mdy', 'the fourth of March, twenty twenty-five'],
    ['date', '2025/04/03', 'ymd', 'the third of April, twenty twenty-five'],
    ['date', '25 Dec', 'dm', 'the twenty-fifth of December'],
    ['date', '12/2024', 'my', 'December twenty twenty-four'],
    ['date', '1999', 'y', 'nineteen ninety-nine'],
    ['date', '31/02/2024', 'dmy', 'thirty-one slash zero two slash two thousand and twenty-four'],
    ['time', '3:30pm', undefined, 'three thirty p m'],
    ['time', '14:05', undefined, 'fourteen oh five'],
    ['time', '7 a.m.', undefined, 'seven a m'],
    ['currency', '₦5,000', undefined, 'five thousand naira'],
    ['currency', '$3.20', undefined, 'three dollars twenty cents'],
    ['currency', '2500', 'NGN', 'two thousand five hundred naira'],
    ['unknown-kind', 'Dr. Ade at 3pm', undefined, 'Doctor Ade at three p m'],
  ])('%s %j (format %s) → %j', (interpretAs, text, format, spoken) => {
    expect(renderSayAs(text, { interpretAs, format })).toBe(spoken);
  });

  it('is case-insensitive about interpret-as', () => {
    expect(renderSayAs('ab', { interpretAs: 'Characters' })).toBe('A B');
  });

  it.each([
    ['characters', 'abc12', 'A B C 1 2'],
    ['digits', '123', '1 2 3'],
    ['telephone', '0803 123 4567', '0 8 0 3, 1 2 3, 4 5 6 7'],
    ['cardinal', '1,250', '1,250'],
    ['date', '25/12/2024', '25/12/2024'],
  ])('outside English, %s only uses language-neutral spacing', (interpretAs, text, spoken) => {
    expect(renderSayAs(text, { interpretAs }, 'fr')).toBe(spoken);
  });

  it('renders blank text as nothing', () => {
    expect(renderSayAs('   ', { interpretAs: 'cardinal' })).toBe('');
  });
});

describe('telephone helpers', () => {
  it.each([
    ['1234567', ['123', '4567']],
    ['12345678', ['1234', '5678']],
    ['123456789', ['123', '456', '789']],
    ['1234567890', ['123', '456', '7890']],
    ['12345678901', ['123', '4567', '8901']],
    ['1234', ['1234']],
  ])('groups %s as %j', (digits, groups) => {
    expect(groupDigits(digits)).toEqual(groups);
  });

  it('rejects text that is not a telephone number', () => {
    expect(telephoneWords('call me')).toBeNull();
    expect(telephoneWords('0803 abc')).toBeNull();
  });

  it('reads a Lagos landline after +234 as 1-3-4', () => {
    expect(telephoneWords('+23412345678')).toBe(
      'plus two three four, one, two three four, five six seven eight',
    );
  });
});

describe('expandYear', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it.each([
    ['24', 2024],
    ['35', 2035],
    ['36', 1936],
    ['99', 1999],
    ['2024', 2024],
  ])('%s → %d', (written, year) => {
    expect(expandYear(written, now)).toBe(year);
  });
});
