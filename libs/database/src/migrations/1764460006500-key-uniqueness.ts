import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a join key column of a vault version holds each value once: one boolean per
 * (version, column), measured once by the worker as `cadre_compute` (versions are
 * immutable, so it never goes stale). The computation compiler skips the per-person step
 * when every dataset it joins is unique on its key. No vault value is stored here.
 */
export class KeyUniqueness1764460006500 implements MigrationInterface {
  name = 'KeyUniqueness1764460006500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.vault_key_uniqueness (
      version_id text NOT NULL,
      column_name text NOT NULL,
      is_unique boolean NOT NULL,
      checked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (version_id, column_name)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.vault_key_uniqueness`);
  }
}
