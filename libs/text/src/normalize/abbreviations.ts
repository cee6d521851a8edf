/** Titles before a name. Said in full so an engine never reads "Dr" as "drive" or spells it. */
export const TITLES: Readonly<Record<string, string>> = {
  Dr: 'Doctor',
  Mr: 'Mister',
  Mrs: 'Missus',
  Ms: 'Miz',
  Prof: 'Professor',
  Engr: 'Engineer',
  Barr: 'Barrister',
  Alh: 'Alhaji',
  Pst: 'Pastor',
  Rev: 'Reverend',
  Sen: 'Senator',
  Hon: 'Honourable',
  Gov: 'Governor',
  Pres: 'President',
  Gen: 'General',
  Col: 'Colonel',
  Maj: 'Major',
  Capt: 'Captain',
  Lt: 'Lieutenant',
  Sgt: 'Sergeant',
  Cpl: 'Corporal',
  Insp: 'Inspector',
  Supt: 'Superintendent',
  Fr: 'Father',
};

/** Titles that are unambiguous even without a dot ("Mr Okafor", "Engr Bello"). */
export const DOTLESS_TITLES = ['Dr', 'Mr', 'Mrs', 'Ms', 'Prof', 'Engr', 'Barr', 'Alh', 'Pst'];

/** Abbreviations written with a final dot that never end a sentence in practice. */
export const DOTTED_WORDS: Readonly<Record<string, string>> = {
  'e.g.': 'for example',
  'i.e.': 'that is',
  'approx.': 'approximately',
  'vs.': 'versus',
  'Nos.': 'numbers',
  'Ave.': 'Avenue',
  'Rd.': 'Road',
  'Cres.': 'Crescent',
  'Blvd.': 'Boulevard',
  'Apt.': 'Apartment',
  'Dept.': 'Department',
  'Govt.': 'Government',
  'Tel.': 'Telephone',
  'Ext.': 'extension',
  'Mt.': 'Mount',
  'Fig.': 'Figure',
};

/** Abbreviations that often close a sentence, so their dot may also be a full stop. */
export const SENTENCE_FINAL_WORDS: Readonly<Record<string, string>> = {
  'etc.': 'et cetera',
  'Ltd.': 'Limited',
  'Inc.': 'Incorporated',
  'Co.': 'Company',
  'Jr.': 'Junior',
  'Sr.': 'Senior',
};

/** Street words safe to expand without their dot ("12 Awolowo Rd, Ikoyi"). */
export const DOTLESS_STREET_WORDS: Readonly<Record<string, string>> = {
  Rd: 'Road',
  Ave: 'Avenue',
  Cres: 'Crescent',
  Blvd: 'Boulevard',
};

/**
 * Lowercased words (without their dot) after which a full stop followed by a space is not a
 * sentence end. Used by the streaming splitter on text that may not have been normalized.
 */
export const NON_TERMINAL_ABBREVIATIONS: ReadonlySet<string> = new Set([
  ...Object.keys(TITLES).map((t) => t.toLowerCase()),
  ...Object.keys(DOTTED_WORDS).map((w) => w.slice(0, -1).toLowerCase()),
  'st',
  'fig',
]);

/** Lowercased words whose dot ends a sentence only when a capital letter follows. */
export const MAYBE_TERMINAL_ABBREVIATIONS: ReadonlySet<string> = new Set([
  ...Object.keys(SENTENCE_FINAL_WORDS).map((w) => w.slice(0, -1).toLowerCase()),
  'a.m',
  'p.m',
]);
