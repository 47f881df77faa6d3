import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust framework II: external identities bound by (issuer, subject); deactivated users;
 * votes that explicitly replace the carried-over conditions; revocable organisation keys;
 * team members of other organisations who accepted to join.
 */
export class TrustHardening1764470200000 implements MigrationInterface {
  name = 'TrustHardening1764470200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.external_identities (
      issuer text NOT NULL,
      subject text NOT NULL,
      user_id uuid NOT NULL REFERENCES cadre.users(id) ON DELETE CASCADE,
      linked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (issuer, subject),
      UNIQUE (issuer, user_id)
    )`);
    await q.query(`ALTER TABLE cadre.users ADD COLUMN deactivated_at timestamptz`);
    await q.query(`ALTER TABLE cadre.use_case_votes ADD COLUMN replace_conditions_reason text`);
    await q.query(`ALTER TABLE cadre.organisation_keys ADD COLUMN revoked_at timestamptz`);
    await q.query(`CREATE TABLE cadre.use_case_team_acceptances (
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES cadre.users(id) ON DELETE CASCADE,
      accepted_by uuid NOT NULL,
      accepted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (use_case_id, user_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.use_case_team_acceptances`);
    await q.query(`ALTER TABLE cadre.organisation_keys DROP COLUMN revoked_at`);
    await q.query(`ALTER TABLE cadre.use_case_votes DROP COLUMN replace_conditions_reason`);
    await q.query(`ALTER TABLE cadre.users DROP COLUMN deactivated_at`);
    await q.query(`DROP TABLE cadre.external_identities`);
  }
}
