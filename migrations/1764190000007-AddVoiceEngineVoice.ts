import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddVoiceEngineVoice1764190000007 implements MigrationInterface {
  name = 'AddVoiceEngineVoice1764190000007';

  async up(q: QueryRunner): Promise<void> {
    // The engine's own name for the voice (an upstream's `af_heart`); null for voices the
    // engine knows by conditioning alone (eSpeak presets, XTTS latents).
    await q.query(`ALTER TABLE voices ADD COLUMN engine_voice varchar(200)`);
    // `engine`: a tenant's voice on one of an engine's voices, made without audio.
    await q.query(`ALTER TABLE voices DROP CONSTRAINT voices_source_check`);
    await q.query(
      `ALTER TABLE voices ADD CONSTRAINT voices_source_check CHECK (source IN ('builtin', 'uploaded', 'engine'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM voices WHERE source = 'engine'`);
    await q.query(`ALTER TABLE voices DROP CONSTRAINT voices_source_check`);
    await q.query(
      `ALTER TABLE voices ADD CONSTRAINT voices_source_check CHECK (source IN ('builtin', 'uploaded'))`,
    );
    await q.query(`ALTER TABLE voices DROP COLUMN engine_voice`);
  }
}
