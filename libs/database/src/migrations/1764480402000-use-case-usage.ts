import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What every run reads of its use case's history, kept as it happens instead of recounted
 * from the whole history on each run (issue 12: both reads grew with every computation).
 *
 * - `use_case_usage`: the computations that produced a result and the epsilon spent. The
 *   storing transaction increments it and reads it back in one statement; the row lock that
 *   takes is the section the computations of one use case pass one at a time (it replaces
 *   an advisory lock). `privacy_budget_ledger` stays the itemised record of each spend.
 * - `published_populations`: one exact computation per distinct population a use case has
 *   published (the first stored), for the differencing check: its size is the number of
 *   distinct populations, not of computations.
 *
 * Both are filled from the existing rows here.
 */
export class UseCaseUsage1764480402000 implements MigrationInterface {
  name = 'UseCaseUsage1764480402000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.use_case_usage (
      use_case_id uuid PRIMARY KEY REFERENCES cadre.use_cases(id),
      computations_used integer NOT NULL DEFAULT 0 CHECK (computations_used >= 0),
      epsilon_spent double precision NOT NULL DEFAULT 0 CHECK (epsilon_spent >= 0)
    )`);
    await q.query(`INSERT INTO cadre.use_case_usage (use_case_id, computations_used, epsilon_spent)
      SELECT u.id,
             (SELECT count(*) FROM cadre.computations c WHERE c.use_case_id = u.id AND c.status IN ('released','pending_release')),
             (SELECT COALESCE(sum(l.epsilon), 0) FROM cadre.privacy_budget_ledger l WHERE l.use_case_id = u.id)
        FROM cadre.use_cases u`);
    await q.query(`CREATE TABLE cadre.published_populations (
      use_case_id uuid NOT NULL REFERENCES cadre.use_cases(id),
      population_key text NOT NULL,
      computation_id uuid NOT NULL REFERENCES cadre.computations(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (use_case_id, population_key)
    )`);
    // A computation stored before population keys stands for a population of its own (its id), as it did.
    await q.query(`INSERT INTO cadre.published_populations (use_case_id, population_key, computation_id, created_at)
      SELECT DISTINCT ON (use_case_id, COALESCE(population_key, id::text)) use_case_id, COALESCE(population_key, id::text), id, created_at
        FROM cadre.computations
       WHERE mechanism = 'none' AND status IN ('released','pending_release')
       ORDER BY use_case_id, COALESCE(population_key, id::text), created_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.published_populations`);
    await q.query(`DROP TABLE cadre.use_case_usage`);
  }
}
