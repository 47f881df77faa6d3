import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The allowance count (computations of a use case that produced a result) is read by every
 * run, once under the use case's lock: an index on (use_case_id, status) keeps it from
 * walking every computation the use case ever had.
 */
export class ComputationUsageIndex1764480400000 implements MigrationInterface {
  name = 'ComputationUsageIndex1764480400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX computations_use_case_status ON cadre.computations (use_case_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cadre.computations_use_case_status`);
  }
}
