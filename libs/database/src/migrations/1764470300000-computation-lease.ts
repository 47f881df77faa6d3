import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A running computation's lease: the worker running it pushes `lease_until` forward while it
 * runs; once it lapses (the worker died), the job may be taken again at once instead of
 * after a fixed multiple of the statement timeout.
 */
export class ComputationLease1764470300000 implements MigrationInterface {
  name = 'ComputationLease1764470300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cadre.computations ADD COLUMN lease_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cadre.computations DROP COLUMN lease_until`);
  }
}
