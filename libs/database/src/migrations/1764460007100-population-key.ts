import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The population an exact computation was released on, as a key (SHA-256 of its population
 * query), so the differencing check fetches one earlier plan per distinct population
 * instead of the whole history of the use case.
 */
export class PopulationKey1764460007100 implements MigrationInterface {
  name = 'PopulationKey1764460007100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cadre.computations ADD COLUMN population_key text`);
    await q.query(`CREATE INDEX computations_population ON cadre.computations (use_case_id, population_key) WHERE mechanism = 'none' AND status IN ('released','pending_release')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cadre.computations_population`);
    await q.query(`ALTER TABLE cadre.computations DROP COLUMN population_key`);
  }
}
