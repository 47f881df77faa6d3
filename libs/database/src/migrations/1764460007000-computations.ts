import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Computations and the privacy-budget ledger. `result` holds only the disclosure-controlled
 * result; `rejection` a code and a fixed detail; `failure` a reason code. No vault value
 * is ever stored here. The ledger is append-only: one spend per computation, never edited.
 */
export class Computations1764460007000 implements MigrationInterface {
  name = 'Computations1764460007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.computations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      submitted_by uuid NOT NULL REFERENCES cadre.users(id),
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','running','released','pending_release','rejected','failed','cancelled')),
      query jsonb NOT NULL,
      plan jsonb NOT NULL,
      mechanism text NOT NULL CHECK (mechanism IN ('none','laplace','gaussian')),
      epsilon double precision NOT NULL DEFAULT 0 CHECK (epsilon >= 0),
      contract_ids uuid[] NOT NULL,
      provider_organisation_ids uuid[] NOT NULL,
      release_mode text NOT NULL DEFAULT 'automatic' CHECK (release_mode IN ('automatic','provider_review')),
      result jsonb,
      rejection jsonb,
      failure text,
      idempotency_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      released_at timestamptz,
      CONSTRAINT computations_idempotency UNIQUE (use_case_id, submitted_by, idempotency_key)
    )`);
    await q.query(`CREATE INDEX computations_use_case ON cadre.computations (use_case_id, created_at)`);
    await q.query(`CREATE TABLE cadre.computation_releases (
      computation_id uuid NOT NULL REFERENCES cadre.computations(id),
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      released_by uuid NOT NULL REFERENCES cadre.users(id),
      released_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (computation_id, organisation_id)
    )`);
    await q.query(`CREATE TABLE cadre.privacy_budget_ledger (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      computation_id uuid NOT NULL UNIQUE REFERENCES cadre.computations(id),
      mechanism text NOT NULL CHECK (mechanism IN ('laplace','gaussian')),
      epsilon double precision NOT NULL CHECK (epsilon > 0),
      delta double precision NOT NULL DEFAULT 0 CHECK (delta >= 0),
      spent_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX privacy_budget_ledger_use_case ON cadre.privacy_budget_ledger (use_case_id)`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON cadre.privacy_budget_ledger FROM cadre_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.privacy_budget_ledger`);
    await q.query(`DROP TABLE cadre.computation_releases`);
    await q.query(`DROP TABLE cadre.computations`);
  }
}
