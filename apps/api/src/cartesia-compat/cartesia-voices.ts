import type { BuiltinVoiceId } from '../openai-compat/openai-voices';

/**
 * Cartesia voice ids that clients ship as defaults or examples → our built-in voices, by gender
 * and accent: American voices go to the naija_* pair, British ones to the RP pair. Any other id
 * is one of ours (built-in or the tenant's `v_...` voices).
 */
export const CARTESIA_VOICES: Readonly<Record<string, { name: string; voice: BuiltinVoiceId }>> = {
  // Katie: LiveKit Agents' default Cartesia voice.
  'f786b574-daa5-4673-aa0c-cbe3e8534c02': { name: 'Katie', voice: 'naija_female' },
  // Sarah: the voice of Cartesia's own documentation examples.
  '694f9389-aac1-45b6-b726-9d9369183238': { name: 'Sarah', voice: 'naija_female' },
  '71a7ad14-091c-4e8e-a314-022ece01c121': { name: 'Charlotte', voice: 'professional_female' },
  'a0e99841-438c-4a64-b679-ae501e7d6091': { name: 'Greg', voice: 'naija_male' },
  'bb7e8daa-8b79-47a2-8408-a7a1cc72b53c': { name: 'Arthur', voice: 'professional_male' },
};

/** Our voice id for a Cartesia voice id (case-insensitive), or the id itself. */
export function resolveCartesiaVoice(id: string): string {
  return CARTESIA_VOICES[id.toLowerCase()]?.voice ?? id;
}

/** The table as Markdown, for the OpenAPI description. */
export function cartesiaVoiceTableMarkdown(): string {
  const rows = Object.entries(CARTESIA_VOICES).map(
    ([id, { name, voice }]) => `| \`${id}\` (${name}) | \`${voice}\` |`,
  );
  return ['| Cartesia voice id | our voice |', '|---|---|', ...rows].join('\n');
}
