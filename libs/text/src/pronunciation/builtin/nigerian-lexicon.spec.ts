import {
  BUILTIN_VOICE_PRESETS,
  EspeakEngine,
  type PcmChunk,
  type SpokenSpan,
  toEspeakPhonemes,
  type WordTiming,
} from '@cw/engines';
import { IPA_TO_ESPEAK } from '@cw/engines/espeak/espeak-phonemes';
import { Lexicon } from '../lexicon';
import { PronunciationTable } from '../pronunciation-table';
import {
  NIGERIAN_LEXICON_ENTRIES,
  NIGERIAN_LEXICON_ID,
  NIGERIAN_LEXICON_RULES,
  NIGERIAN_LEXICON_SOURCES,
  type NigerianLexiconEntry,
  skipCasesOf,
} from './nigerian-lexicon';

jest.setTimeout(60_000);

const PHONEMIC = NIGERIAN_LEXICON_ENTRIES.filter((e) => e.ipa !== undefined);

describe('the built-in Nigerian lexicon (data)', () => {
  it('has at least 300 entries, each grapheme once, each with an IPA or an alias', () => {
    expect(NIGERIAN_LEXICON_ENTRIES.length).toBeGreaterThanOrEqual(300);
    const seen = new Set<string>();
    for (const entry of NIGERIAN_LEXICON_ENTRIES) {
      const key = entry.grapheme.toLowerCase();
      expect({ grapheme: entry.grapheme, duplicate: seen.has(key) }).toEqual({
        grapheme: entry.grapheme,
        duplicate: false,
      });
      seen.add(key);
      expect([entry.ipa, entry.alias].filter((v) => v !== undefined)).toHaveLength(1);
    }
  });

  it('names the sources of every group', () => {
    const groups = new Set(NIGERIAN_LEXICON_ENTRIES.map((e) => e.group));
    for (const group of groups) expect(NIGERIAN_LEXICON_SOURCES[group]?.length).toBeGreaterThan(20);
    expect(groups).toEqual(
      new Set([
        'yoruba-given',
        'yoruba-surnames',
        'igbo-given',
        'igbo-surnames',
        'hausa-given',
        'hausa-surnames',
        'other-names',
        'states',
        'cities',
        'lagos-areas',
        'abuja-areas',
        'banks',
        'telecoms',
        'pidgin',
        'food',
      ]),
    );
  });

  it('converts every phoneme to eSpeak input, using only symbols the converter maps', () => {
    const known = new Set([...Object.keys(IPA_TO_ESPEAK).join(''), '.', '\u0361']);
    for (const entry of PHONEMIC) {
      expect({
        entry: entry.grapheme,
        unknown: [...entry.ipa].filter((c) => !known.has(c)),
      }).toEqual({ entry: entry.grapheme, unknown: [] });
      expect(toEspeakPhonemes(entry.ipa, 'ipa')).toMatch(/^\[\[[^\]]+\]\]$/);
    }
  });

  it('stresses exactly one syllable of every word it gives phonemes for', () => {
    for (const entry of PHONEMIC) {
      const words = entry.ipa.split(' ');
      // "Ibeju-Lekki" may be said as two words, "Akwa Ibom" must be.
      const fewest = entry.grapheme.split(' ').length;
      const most = entry.grapheme.split(/[ -]/).length;
      expect({
        entry: entry.grapheme,
        words: Math.min(most, Math.max(fewest, words.length)),
      }).toEqual({
        entry: entry.grapheme,
        words: words.length,
      });
      for (const word of words) {
        expect({ entry: entry.grapheme, stresses: word.split('ˈ').length - 1 }).toEqual({
          entry: entry.grapheme,
          stresses: 1,
        });
      }
    }
  });

  it('matches whole words in any case, the longer grapheme first, and reports itself as the source', () => {
    const lexicon = new Lexicon(NIGERIAN_LEXICON_RULES, { phonemes: true });
    const table = new PronunciationTable();
    lexicon.apply('Meet CHUKWUEMEKA at Ibeju-Lekki, not Lekkis, via gtbank.', table);
    expect(table.entries.map((e) => [e.original, e.say.kind])).toEqual([
      ['CHUKWUEMEKA', 'phoneme'],
      ['Ibeju-Lekki', 'phoneme'],
      ['gtbank', 'alias'],
    ]);
    const gtbank = NIGERIAN_LEXICON_ENTRIES.findIndex((e) => e.grapheme === 'GTBank');
    expect(table.entries[2].source).toEqual({
      dictionaryId: NIGERIAN_LEXICON_ID,
      version: 2,
      ruleIndex: gtbank,
    });
    expect(table.entries[2].say).toEqual({ kind: 'alias', text: 'G T Bank' });
  });
});

describe('the built-in Nigerian lexicon in English text', () => {
  const lexicon = new Lexicon(NIGERIAN_LEXICON_RULES, { phonemes: true });
  /** The caller's words the lexicon replaced, in order. */
  const replaced = (text: string) => {
    const table = new PronunciationTable();
    lexicon.apply(text, table);
    return table.entries.map((e) => e.original);
  };

  it('leaves English acronyms that spell a short name alone, in mixed-case text', () => {
    expect(
      replaced('IMO, the ABA says the APO and the ABI changed; ask the EDO team at Ikeja.'),
    ).toEqual(['Ikeja']);
  });

  it('still says the names written as names, in capitals next to capitals, and in shouted text', () => {
    expect(replaced('I moved from Imo to Aba, then to IMO STATE.')).toEqual(['Imo', 'Aba', 'IMO']);
    expect(replaced('WELCOME TO ABA IN ABIA.')).toEqual(['ABA', 'ABIA']);
    // Longer names are not acronyms: an address in capitals still gets the lexicon.
    expect(replaced('Deliver to 5 Allen Avenue, IKEJA, or to SURULERE.')).toEqual([
      'IKEJA',
      'SURULERE',
    ]);
  });

  it('says brands written in capitals, and acronym entries in capitals or lower case, not Capitalised', () => {
    expect(replaced('Recharge your GLO line or pay with OPAY at UBA.')).toEqual([
      'GLO',
      'OPAY',
      'UBA',
    ]);
    expect(replaced('Send it to uba, Mr Uba said.')).toEqual(['uba']);
  });

  it('leaves names that are English words alone in lower case', () => {
    expect(replaced('They tope at the wale of the aba; Tope met Wale in Aba.')).toEqual([
      'Tope',
      'Wale',
      'Aba',
    ]);
  });

  it('guards every entry of four letters or fewer, and no longer one', () => {
    const short = NIGERIAN_LEXICON_ENTRIES.filter(
      (e) => [...e.grapheme].filter((c) => /\p{L}/u.test(c)).length <= 4,
    );
    const unguarded = short.filter((e) => skipCasesOf(e).length === 0).map((e) => e.grapheme);
    // Only brands whose capitals are their own name keep every spelling.
    expect(unguarded.sort()).toEqual([
      'GOtv',
      'Glo',
      'Jaiz',
      'Kuda',
      'Opay',
      'Paga',
      'Wema',
      'ntel',
    ]);
    const long = NIGERIAN_LEXICON_ENTRIES.filter((e) => !short.includes(e));
    expect(long.filter((e) => skipCasesOf(e).length > 0)).toEqual([]);
    // The rules carry them, so the Lexicon sees them.
    const imo = NIGERIAN_LEXICON_RULES.find((r) => r.stringToReplace === 'Imo');
    expect(imo?.skipCases).toEqual(['capitals']);
  });
});

function spanOf(entry: NigerianLexiconEntry, start: number): SpokenSpan {
  return {
    start,
    end: start + entry.grapheme.length,
    say:
      entry.ipa !== undefined
        ? { kind: 'phoneme', phoneme: entry.ipa, alphabet: 'ipa' }
        : { kind: 'alias', text: entry.alias },
  };
}

/** Root mean square of the samples between two times. */
function rmsBetween(samples: Int16Array, sampleRate: number, fromMs: number, toMs: number): number {
  const from = Math.floor((fromMs / 1000) * sampleRate);
  const to = Math.min(samples.length, Math.ceil((toMs / 1000) * sampleRate));
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}

describe('the built-in Nigerian lexicon (real eSpeak)', () => {
  const engine = new EspeakEngine({ poolSize: 2, maxQueue: 64 });
  beforeAll(() => engine.init());
  afterAll(() => engine.close());

  /** Every entry in sentences of BATCH entries; each entry must come back as its own sound. */
  const BATCH = 40;

  it('speaks every entry: no engine error, and audible audio where each entry is timed', async () => {
    const batches: NigerianLexiconEntry[][] = [];
    for (let i = 0; i < NIGERIAN_LEXICON_ENTRIES.length; i += BATCH) {
      batches.push(NIGERIAN_LEXICON_ENTRIES.slice(i, i + BATCH));
    }
    const results = await Promise.all(
      batches.map(async (batch) => {
        let text = '';
        const spans = batch.map((entry) => {
          if (text) text += '. ';
          const span = spanOf(entry, text.length);
          text += entry.grapheme;
          return span;
        });
        const chunks: PcmChunk[] = [];
        for await (const chunk of engine.synthesize(
          {
            text: `${text}.`,
            language: 'en',
            voice: { id: 'default', conditioning: { ...BUILTIN_VOICE_PRESETS.default } },
            speed: 1,
            pronunciations: spans,
          },
          new AbortController().signal,
        )) {
          chunks.push(chunk);
        }
        return { batch, chunks };
      }),
    );

    const quiet: string[] = [];
    for (const { batch, chunks } of results) {
      const samples = new Int16Array(chunks.reduce((n, c) => n + c.samples.length, 0));
      let offset = 0;
      for (const c of chunks) {
        samples.set(c.samples, offset);
        offset += c.samples.length;
      }
      const sampleRate = chunks[0].sampleRate;
      const words: WordTiming[] = chunks.flatMap((c) => c.words ?? []);
      expect(words.map((w) => w.word)).toEqual(batch.map((e) => e.grapheme));
      words.forEach((word) => {
        // Speech is in the thousands; silence and dither are in single digits.
        if (rmsBetween(samples, sampleRate, word.startMs, word.endMs) < 300) quiet.push(word.word);
        if (word.endMs - word.startMs < 200) quiet.push(`${word.word} (too short)`);
      });
    }
    expect(quiet).toEqual([]);
  });
});
