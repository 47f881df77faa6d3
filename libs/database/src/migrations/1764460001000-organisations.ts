import { MigrationInterface, QueryRunner } from 'typeorm';

export class Organisations1764460001000 implements MigrationInterface {
  name = 'Organisations1764460001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.organisations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      college text NOT NULL CHECK (college IN ('local_authorities','public_institutions','academia','health','private_sector','operator')),
      siren text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
      is_operator boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX organisations_one_operator ON cadre.organisations (is_operator) WHERE is_operator`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.organisations`);
  }
}
