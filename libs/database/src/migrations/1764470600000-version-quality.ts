import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quality of a dataset version, measured by the worker (compute role, read only) once
 * the version is finalised: per column, the share of non-empty cells, as a whole
 * percentage. Aggregates only: no value, no pseudonym.
 */
export class VersionQuality1764470600000 implements MigrationInterface {
  name = 'VersionQuality1764470600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.dataset_version_quality (
      version_id uuid PRIMARY KEY REFERENCES cadre.dataset_versions(id) ON DELETE CASCADE,
      completeness jsonb NOT NULL,
      measured_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Versions recorded before this table: measured by the worker once the outbox sweeper publishes these rows.
    await q.query(`INSERT INTO cadre.outbox (id, name, payload)
      SELECT gen_random_uuid(), 'measure-version-quality', jsonb_build_object('versionId', v.id) FROM cadre.dataset_versions v`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM cadre.outbox WHERE name = 'measure-version-quality' AND status IN ('pending', 'published')`);
    await q.query(`DROP TABLE IF EXISTS cadre.dataset_version_quality`);
  }
}
