import { MigrationInterface, QueryRunner } from 'typeorm';

/** Charter versions, signed adherences and the public keys organisations register. */
export class Members1764460005000 implements MigrationInterface {
  name = 'Members1764460005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.charters (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      version text NOT NULL UNIQUE,
      title text NOT NULL,
      principles jsonb NOT NULL,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','current','superseded')),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      superseded_at timestamptz
    )`);
    // At most one current charter, enforced by the database rather than by a race-prone read.
    await q.query(`CREATE UNIQUE INDEX charters_one_current ON cadre.charters (status) WHERE status = 'current'`);

    await q.query(`CREATE TABLE cadre.charter_adherences (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      charter_id uuid NOT NULL REFERENCES cadre.charters(id),
      signed_by uuid NOT NULL,
      signed_at timestamptz NOT NULL,
      signature text NOT NULL,
      UNIQUE (organisation_id, charter_id)
    )`);

    await q.query(`CREATE TABLE cadre.organisation_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      kid text NOT NULL,
      jwk jsonb NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organisation_id, kid),
      CHECK (NOT (jwk ? 'd'))
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.organisation_keys`);
    await q.query(`DROP TABLE cadre.charter_adherences`);
    await q.query(`DROP TABLE cadre.charters`);
  }
}
