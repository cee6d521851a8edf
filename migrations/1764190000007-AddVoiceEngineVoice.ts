import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddVoiceEngineVoice1764190000007 implements MigrationInterface {
  name = 'AddVoiceEngineVoice1764190000007';

  async up(q: QueryRunner): Promise<void> {
    // The engine's own name for the voice (an upstream's `af_heart`); null for voices the
    // engine knows by conditioning alone (eSpeak presets, XTTS latents).
    await q.query(`ALTER TABLE voices ADD COLUMN engine_voice varchar(200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE voices DROP COLUMN engine_voice`);
  }
}
