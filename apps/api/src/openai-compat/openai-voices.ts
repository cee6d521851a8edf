/** Our built-in voices (seeded by migration), the targets of OpenAI's voice names. */
export type BuiltinVoiceId =
  'default' | 'naija_female' | 'naija_male' | 'professional_female' | 'professional_male';

/**
 * OpenAI's voice names → our built-in voices, matched by perceived gender and character: warm,
 * conversational voices go to the naija_* pair, calm or British-sounding ones to the RP pair, and
 * OpenAI's neutral default (alloy) and its versatile male (verse) to our default.
 */
export const OPENAI_VOICES: Readonly<Record<string, BuiltinVoiceId>> = {
  alloy: 'default',
  ash: 'naija_male',
  ballad: 'professional_male',
  cedar: 'naija_male',
  coral: 'naija_female',
  echo: 'naija_male',
  fable: 'professional_male',
  marin: 'professional_female',
  nova: 'naija_female',
  onyx: 'professional_male',
  sage: 'professional_female',
  shimmer: 'professional_female',
  verse: 'default',
};

/** The voice we synthesize with: an OpenAI name (any case) is mapped, anything else is our id. */
export function resolveVoiceId(voice: string | { id: string }): string {
  const id = typeof voice === 'string' ? voice : voice.id;
  return OPENAI_VOICES[id.toLowerCase()] ?? id;
}

/** The table above as Markdown, for the OpenAPI description. */
export function voiceTableMarkdown(): string {
  const rows = Object.entries(OPENAI_VOICES).map(([name, id]) => `| \`${name}\` | \`${id}\` |`);
  return ['| OpenAI voice | our voice |', '|---|---|', ...rows].join('\n');
}
