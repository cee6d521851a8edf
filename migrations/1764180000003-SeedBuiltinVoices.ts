import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The built-in voices, visible to every tenant. Conditioning is keyed by engine id; the `espeak`
 * entry is a snapshot of the eSpeak
 * presets documented in libs/engines/src/espeak/voice-presets.ts (a migration must not change
 * when that file does; a later change to a preset is a new migration).
 */
const BUILTIN_VOICES = [
  {
    voiceId: 'default',
    name: 'Default',
    description: 'Neutral British English, male (eSpeak en).',
    gender: 'male',
    accent: 'british',
    conditioning: { espeak: { espeakVoice: 'en', pitch: 50, pitchRange: 50, rate: 145 } },
  },
  {
    voiceId: 'naija_female',
    name: 'Naija Female',
    description:
      'Female, West-African-leaning English: non-rhotic, TH-stopping, syllable-timed (eSpeak en-029 + f3). An approximation: eSpeak has no Nigerian English voice.',
    gender: 'female',
    accent: 'nigerian (approximate)',
    conditioning: {
      espeak: { espeakVoice: 'en-029', variant: 'f3', pitch: 55, pitchRange: 55, rate: 148 },
    },
  },
  {
    voiceId: 'naija_male',
    name: 'Naija Male',
    description:
      'Male, West-African-leaning English (eSpeak en-029 + m3). An approximation: eSpeak has no Nigerian English voice.',
    gender: 'male',
    accent: 'nigerian (approximate)',
    conditioning: {
      espeak: { espeakVoice: 'en-029', variant: 'm3', pitch: 48, pitchRange: 55, rate: 148 },
    },
  },
  {
    voiceId: 'professional_female',
    name: 'Professional Female',
    description: 'Female, Received Pronunciation, composed delivery (eSpeak en-GB-x-rp + f2).',
    gender: 'female',
    accent: 'british rp',
    conditioning: {
      espeak: {
        espeakVoice: 'en-GB-x-rp',
        variant: 'f2',
        pitch: 50,
        pitchRange: 45,
        rate: 143,
      },
    },
  },
  {
    voiceId: 'professional_male',
    name: 'Professional Male',
    description: 'Male, Received Pronunciation, deeper variant (eSpeak en-GB-x-rp + m1).',
    gender: 'male',
    accent: 'british rp',
    conditioning: {
      espeak: {
        espeakVoice: 'en-GB-x-rp',
        variant: 'm1',
        pitch: 45,
        pitchRange: 45,
        rate: 143,
      },
    },
  },
];

export class SeedBuiltinVoices1764180000003 implements MigrationInterface {
  name = 'SeedBuiltinVoices1764180000003';

  async up(q: QueryRunner): Promise<void> {
    for (const v of BUILTIN_VOICES) {
      await q.query(
        `INSERT INTO voices (voice_id, tenant_id, name, description, language, gender, accent, source, engine, cloning, conditioning)
         VALUES ($1, NULL, $2, $3, 'en', $4, $5, 'builtin', 'espeak', 'none', $6)`,
        [v.voiceId, v.name, v.description, v.gender, v.accent, JSON.stringify(v.conditioning)],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM voices WHERE source = 'builtin'`);
  }
}
