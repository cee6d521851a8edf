import { normalizeText } from './normalize-text';

describe('normalizeText (English)', () => {
  describe('numbers', () => {
    it.each([
      ['1,250', 'one thousand two hundred and fifty'],
      ['3.5', 'three point five'],
      ['We have 42 seats.', 'We have forty-two seats.'],
      ['1000000 people', 'one million people'],
      ['-5 degrees', 'minus five degrees'],
      ['it costs 0.5', 'it costs zero point five'],
      ['code 007', 'code zero zero seven'],
      ['a 4G network', 'a four G network'],
      ['version 1.2.3', 'version one point two point three'],
      ['1st', 'first'],
      ['22nd', 'twenty-second'],
      ['the 3rd time', 'the third time'],
      ['101st', 'one hundred and first'],
      ['50%', 'fifty percent'],
      ['a 3.5% rate', 'a three point five percent rate'],
      ['pages 5-10', 'pages five to ten'],
      ['from 2020-2024', 'from twenty twenty to twenty twenty-four'],
      ['In 2024 we grew', 'In twenty twenty-four we grew'],
      ['since 1999', 'since nineteen ninety-nine'],
      ['1/2 cup', 'one half cup'],
      ['3/4 full', 'three quarters full'],
      ['2/3 done', 'two thirds done'],
      ['open 24/7', 'open twenty-four seven'],
      ['₦5k bonus', 'five thousand naira bonus'],
      ['3bn users', 'three billion users'],
      ['2 + 2 = 4', 'two plus two equals four'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  describe('phone numbers and long digit strings', () => {
    it.each([
      [
        '+234 803 123 4567',
        'plus two three four, eight zero three, one two three, four five six seven',
      ],
      [
        '+2348031234567',
        'plus two three four, eight zero three, one two three, four five six seven',
      ],
      [
        '+234 (0)803 123 4567',
        'plus two three four, eight zero three, one two three, four five six seven',
      ],
      ['08031234567', 'zero eight zero three, one two three, four five six seven'],
      ['0803 123 4567', 'zero eight zero three, one two three, four five six seven'],
      ['0803-123-4567', 'zero eight zero three, one two three, four five six seven'],
      [
        'Call 08031234567 now.',
        'Call zero eight zero three, one two three, four five six seven now.',
      ],
      [
        'Call 0803 123 4567 24 hours a day',
        'Call zero eight zero three, one two three, four five six seven twenty-four hours a day',
      ],
      ['Lagos line 01 234 5678', 'Lagos line zero one, two three four, five six seven eight'],
      ['+44 20 7946 0958', 'plus four four, two zero, seven nine four six, zero nine five eight'],
      ['Account 0123456789', 'Account zero one two, three four five, six seven eight nine'],
      ['order 12345678', 'order one two three four, five six seven eight'],
      ['ref 1234567', 'ref one two three, four five six seven'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  describe('money', () => {
    it.each([
      ['₦5,000', 'five thousand naira'],
      ['₦1', 'one naira'],
      ['₦0.01', 'one kobo'],
      ['NGN 2,500.50', 'two thousand five hundred naira fifty kobo'],
      ['NGN5000', 'five thousand naira'],
      ['5,000 NGN', 'five thousand naira'],
      ['N5,000', 'five thousand naira'],
      ['Pay N500 now', 'Pay five hundred naira now'],
      ['price is N2.50', 'price is two naira fifty kobo'],
      ['N95 masks', 'N95 masks'],
      ['Block N12', 'Block N12'],
      ['₦2.5m', 'two point five million naira'],
      ['₦3 billion', 'three billion naira'],
      ['-₦500', 'minus five hundred naira'],
      ['$20', 'twenty dollars'],
      ['$1', 'one dollar'],
      ['$20.75', 'twenty dollars seventy-five cents'],
      ['$0.50', 'fifty cents'],
      ['US$ 20', 'twenty dollars'],
      ['$1.005', 'one point zero zero five dollars'],
      ['£3.50', 'three pounds fifty pence'],
      ['£1.01', 'one pound one penny'],
      ['€1', 'one euro'],
      ['€12.40', 'twelve euros forty cents'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  describe('dates and times', () => {
    it.each([
      ['25/12/2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['1/3/2025', 'the first of March, twenty twenty-five'],
      ['25-12-2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['25.12.2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['12/25/2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['2024-12-25', 'the twenty-fifth of December, twenty twenty-four'],
      [
        '2024-12-25T14:30:00Z',
        'the twenty-fifth of December, twenty twenty-four at fourteen thirty',
      ],
      ['Meet on 2024-12-25.', 'Meet on the twenty-fifth of December, twenty twenty-four.'],
      ['on 25th December 2024', 'on the twenty-fifth of December, twenty twenty-four'],
      ['the 3rd of May', 'the third of May'],
      ['December 25, 2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['Dec. 25, 2024', 'the twenty-fifth of December, twenty twenty-four'],
      ['Jan 5', 'the fifth of January'],
      ['May 2024', 'May twenty twenty-four'],
      ['31/02/2024', 'thirty-one slash zero two slash two thousand and twenty-four'],
      ['3:30pm', 'three thirty p m'],
      ['3:30 PM', 'three thirty p m'],
      ['3:05pm', 'three oh five p m'],
      ['3:00pm', 'three p m'],
      ['3pm', 'three p m'],
      ['3.30pm', 'three thirty p m'],
      ['14:05', 'fourteen oh five'],
      ['18:00', 'eighteen hundred'],
      ['09:00', "nine o'clock"],
      ['00:30', 'twelve thirty a m'],
      ['00:00', 'midnight'],
      ['14:05:30', 'fourteen oh five and thirty seconds'],
      ['It is 7:45 a.m.', 'It is seven forty-five a m.'],
      ['at 3 p.m. Then go', 'at three p m. Then go'],
      ['at 3 p.m. today', 'at three p m today'],
      ['25:99', 'twenty-five:ninety-nine'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  describe('abbreviations and symbols', () => {
    it.each([
      ['Dr. Ade said', 'Doctor Ade said'],
      ['The Dr. is in', 'The Doctor is in'],
      ['Mr Okafor', 'Mister Okafor'],
      ['Mrs. Bello', 'Missus Bello'],
      ['Engr. Musa', 'Engineer Musa'],
      ['Prof Soyinka', 'Professor Soyinka'],
      ['St. Nicholas Hospital', 'Saint Nicholas Hospital'],
      ['St Nicholas', 'Saint Nicholas'],
      ['12 Broad St.', 'twelve Broad Street.'],
      ['Broad St, Lagos', 'Broad Street, Lagos'],
      ['No. 5 Awolowo Rd, Ikoyi', 'number five Awolowo Road, Ikoyi'],
      ['Say no. Then go.', 'Say no. Then go.'],
      ['Flat #4', 'Flat number four'],
      ['e.g. rice', 'for example rice'],
      ['i.e. now', 'that is now'],
      ['rice, beans, etc.', 'rice, beans, et cetera.'],
      ['beans etc. and rice', 'beans et cetera and rice'],
      ['approx. 5km', 'approximately five kilometres'],
      ['10 kg', 'ten kilograms'],
      ['1 km', 'one kilometre'],
      ['80 km/h', 'eighty kilometres per hour'],
      ['30°C', 'thirty degrees Celsius'],
      ['How many km?', 'How many kilometres?'],
      ['per km', 'per kilometre'],
      ['Arsenal vs Chelsea', 'Arsenal versus Chelsea'],
      ['Alpha Co. Ltd.', 'Alpha Company Limited.'],
      ['see Fig. 3', 'see Figure three'],
      ['NEPA took light', 'NEPA took light'],
      ['The NNPC and GTB', 'The NNPC and GTB'],
      ['A & B', 'A and B'],
      ['AT&T', 'AT and T'],
      ['**Hello** world', 'Hello world'],
      ['# Heading\nText', 'Heading Text'],
      ['First thought\n\nSecond thought', 'First thought. Second thought'],
      ['  lots   of\tspace \n ', 'lots of space'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  describe('web addresses', () => {
    it.each([
      ['visit https://callwaiting.ng/help', 'visit callwaiting dot n g slash help'],
      ['go to www.example.com.', 'go to w w w dot example dot com.'],
      ['callwaiting.ng', 'callwaiting dot n g'],
      ['email ade.bello23@gmail.com', 'email ade dot bello two three at gmail dot com'],
      ['write to info@cw.com.ng', 'write to info at c w dot com dot n g'],
    ])('%j → %j', (text, spoken) => {
      expect(normalizeText(text)).toBe(spoken);
    });
  });

  it('does not treat a decimal or an abbreviation as a sentence end', () => {
    expect(normalizeText('Dr. Obi charges ₦3.5k. Call him.')).toBe(
      'Doctor Obi charges three point five thousand naira. Call him.',
    );
  });

  it('accepts regional English tags', () => {
    expect(normalizeText('25/12/2024', 'en-NG')).toBe(
      'the twenty-fifth of December, twenty twenty-four',
    );
  });
});

describe('normalizeText (other languages)', () => {
  it.each([
    ['fr', 'Il a 25   ans & plus', 'Il a 25 ans & plus'],
    ['yo', ' Ẹ ku   aarọ, ₦5,000 ni ', 'Ẹ ku aarọ, ₦5,000 ni'],
    ['ha', 'Dr. Musa\n\nzai zo 3:30pm', 'Dr. Musa zai zo 3:30pm'],
  ])('%s: only collapses whitespace', (language, text, spoken) => {
    expect(normalizeText(text, language)).toBe(spoken);
  });
});
