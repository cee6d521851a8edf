import type { BuiltinVoiceId } from '../openai-compat/openai-voices';

export interface ElevenLabsVoiceAlias {
  id: string;
  name: string;
  voice: BuiltinVoiceId;
}

/**
 * ElevenLabs' well-known premade voices → our built-in voices, matched by perceived gender and
 * character: warm, conversational American voices go to the naija_* pair, calm or British ones to
 * the RP pair, neutral ones to our default. A request may name the ElevenLabs id or the name.
 */
export const ELEVENLABS_VOICES: readonly ElevenLabsVoiceAlias[] = [
  { id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', voice: 'professional_female' },
  { id: 'EXAVITQu4vr4xnSDxMaL', name: 'Sarah', voice: 'naija_female' },
  { id: 'AZnzlk1XvdvUeBnXmlld', name: 'Domi', voice: 'naija_female' },
  { id: 'MF3mGyEYCl7XYWbV9V6O', name: 'Elli', voice: 'naija_female' },
  { id: 'FGY2WhTYpPnrIDTdsKH5', name: 'Laura', voice: 'naija_female' },
  { id: 'cgSgspJ2msm6clMCkdW9', name: 'Jessica', voice: 'naija_female' },
  { id: 'XrExE9yKIg1WjnnlVkGX', name: 'Matilda', voice: 'professional_female' },
  { id: 'Xb7hH8MSUJpSbSDYk0k2', name: 'Alice', voice: 'professional_female' },
  { id: 'pFZP5JQG7iQjIQuC4Bku', name: 'Lily', voice: 'professional_female' },
  { id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam', voice: 'professional_male' },
  { id: 'JBFqnCBsd6RMkjVDRZzb', name: 'George', voice: 'professional_male' },
  { id: 'onwK4e9ZLuTAKqWW03F9', name: 'Daniel', voice: 'professional_male' },
  { id: 'nPczCjzI2devNBz1zQrb', name: 'Brian', voice: 'professional_male' },
  { id: 'VR6AewLTigWG4xSOukaG', name: 'Arnold', voice: 'professional_male' },
  { id: 'ErXwobaYiN019PkySvjV', name: 'Antoni', voice: 'naija_male' },
  { id: 'TxGEqnHWrfWFTfGW9XjX', name: 'Josh', voice: 'naija_male' },
  { id: 'TX3LPaxmHKxFdv7VOQHJ', name: 'Liam', voice: 'naija_male' },
  { id: 'iP95p4xoKVk53GoZ742B', name: 'Chris', voice: 'naija_male' },
  { id: 'bIHbv24MWmeRgasZH58o', name: 'Will', voice: 'default' },
  { id: 'yoZ06aMxZJJ28mfd3POQ', name: 'Sam', voice: 'default' },
  { id: 'IKne3meq5aSn9XLyUdCD', name: 'Charlie', voice: 'default' },
  { id: 'SAz9YHcvj6GT2YYXdXww', name: 'River', voice: 'default' },
];

const BY_ID = new Map(ELEVENLABS_VOICES.map((v) => [v.id, v.voice]));
const BY_NAME = new Map(ELEVENLABS_VOICES.map((v) => [v.name.toLowerCase(), v.voice]));

/** The voice we synthesize with: an ElevenLabs id or name is mapped, anything else is our id. */
export function resolveVoiceId(voiceId: string): string {
  return BY_ID.get(voiceId) ?? BY_NAME.get(voiceId.toLowerCase()) ?? voiceId;
}

/** The table above as Markdown, for the OpenAPI description and the README. */
export function voiceTableMarkdown(): string {
  const rows = ELEVENLABS_VOICES.map((v) => `| \`${v.id}\` | ${v.name} | \`${v.voice}\` |`);
  return ['| ElevenLabs voice id | name | our voice |', '|---|---|---|', ...rows].join('\n');
}
