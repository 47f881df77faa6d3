import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL lets every role create temporary tables by default. No Cadre role needs
 * them, and a compute session that could write anywhere is one more thing to reason about.
 */
export class NoTemporaryTables1764460001500 implements MigrationInterface {
  name = 'NoTemporaryTables1764460001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$`);
  }
}
