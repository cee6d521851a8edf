import type { BuiltinVoiceId } from '../openai-compat/openai-voices';

/**
 * Deepgram's English Aura voices (by the name inside `aura-<name>-en` and `aura-2-<name>-en`) →
 * our built-in voices, by the gender and character Deepgram describes: its defaults (asteria,
 * thalia) go to our default, warm and casual voices to the naija_* pair, British, formal and
 * "professional" ones to the RP pair.
 */
export const DEEPGRAM_VOICES: Readonly<Record<string, BuiltinVoiceId>> = {
  // Deepgram's defaults (Aura 1 and Aura 2)
  asteria: 'default',
  thalia: 'default',
  // Female, warm or casual
  amalthea: 'naija_female',
  andromeda: 'naija_female',
  aurora: 'naija_female',
  callista: 'naija_female',
  cora: 'naija_female',
  delia: 'naija_female',
  harmonia: 'naija_female',
  iris: 'naija_female',
  juno: 'naija_female',
  luna: 'naija_female',
  ophelia: 'naija_female',
  phoebe: 'naija_female',
  selene: 'naija_female',
  stella: 'naija_female',
  vesta: 'naija_female',
  // Female, British, formal or professional
  athena: 'professional_female',
  cordelia: 'professional_female',
  electra: 'professional_female',
  helena: 'professional_female',
  hera: 'professional_female',
  janus: 'professional_female',
  minerva: 'professional_female',
  pandora: 'professional_female',
  theia: 'professional_female',
  // Male, warm or casual
  apollo: 'naija_male',
  arcas: 'naija_male',
  aries: 'naija_male',
  jupiter: 'naija_male',
  mars: 'naija_male',
  neptune: 'naija_male',
  orion: 'naija_male',
  orpheus: 'naija_male',
  perseus: 'naija_male',
  // Male, British, Irish, formal or professional
  angus: 'professional_male',
  atlas: 'professional_male',
  draco: 'professional_male',
  helios: 'professional_male',
  hermes: 'professional_male',
  hyperion: 'professional_male',
  odysseus: 'professional_male',
  pluto: 'professional_male',
  saturn: 'professional_male',
  zeus: 'professional_male',
};

/** `aura-asteria-en`, `aura-2-thalia-en`: Deepgram's model names, which name a voice. */
const AURA_MODEL = /^aura(?:-2)?-([a-z]+)-([a-z]{2})$/i;

/** The voice a `model` value names, or null for an Aura model we have no voice for. */
export function voiceForModel(model: string): string | null {
  const aura = AURA_MODEL.exec(model);
  if (!aura) return model;
  if (aura[2].toLowerCase() !== 'en') return null;
  return DEEPGRAM_VOICES[aura[1].toLowerCase()] ?? null;
}

/** The table above as Markdown, for the OpenAPI description and the README. */
export function deepgramVoiceTableMarkdown(): string {
  const byVoice = new Map<string, string[]>();
  for (const [name, id] of Object.entries(DEEPGRAM_VOICES)) {
    byVoice.set(id, [...(byVoice.get(id) ?? []), name]);
  }
  const rows = [...byVoice].map(([id, names]) => `| ${names.join(', ')} | \`${id}\` |`);
  return [
    '| Deepgram voice (`aura-<name>-en`, `aura-2-<name>-en`) | our voice |',
    '|---|---|',
    ...rows,
  ].join('\n');
}
