import { MigrationInterface, QueryRunner } from 'typeorm';

/** Use cases, their review rounds (votes, decisions) and amendments. */
export class Ethics1764460005100 implements MigrationInterface {
  name = 'Ethics1764460005100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.use_cases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      requester_organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      created_by uuid NOT NULL,
      title text NOT NULL,
      purpose text NOT NULL,
      public_interest text NOT NULL,
      requested_datasets jsonb NOT NULL,
      provider_organisation_ids uuid[] NOT NULL DEFAULT '{}',
      team_user_ids uuid[] NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft','under_review','approved','rejected','changes_requested','active','suspended','expired','closed')),
      review_round integer NOT NULL DEFAULT 0,
      submitted_at timestamptz,
      conditions jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (starts_at < ends_at)
    )`);
    await q.query(`CREATE INDEX use_cases_requester ON cadre.use_cases (requester_organisation_id)`);
    await q.query(`CREATE INDEX use_cases_providers ON cadre.use_cases USING gin (provider_organisation_ids)`);
    await q.query(`CREATE INDEX use_cases_expiring ON cadre.use_cases (ends_at) WHERE status IN ('approved','active','suspended')`);

    await q.query(`CREATE TABLE cadre.use_case_votes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      round integer NOT NULL,
      voter_id uuid NOT NULL,
      voter_organisation_id uuid NOT NULL,
      decision text NOT NULL CHECK (decision IN ('approve','reject','request_changes')),
      comment text,
      conditions jsonb,
      cast_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (use_case_id, round, voter_id)
    )`);

    await q.query(`CREATE TABLE cadre.use_case_decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      round integer NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('approved','rejected','changes_requested')),
      record jsonb NOT NULL,
      signature text NOT NULL,
      decided_at timestamptz NOT NULL,
      UNIQUE (use_case_id, round)
    )`);

    await q.query(`CREATE TABLE cadre.use_case_amendments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      round integer NOT NULL,
      changes jsonb NOT NULL,
      reason text NOT NULL,
      requested_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.use_case_amendments`);
    await q.query(`DROP TABLE cadre.use_case_decisions`);
    await q.query(`DROP TABLE cadre.use_case_votes`);
    await q.query(`DROP TABLE cadre.use_cases`);
  }
}
