import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: whether a dataset holds one row per person (`person`, checked at ingestion) or
 * any number of rows per person (`transaction`, the default: what existing datasets were
 * always treated as by the exact computation path).
 */
export class DatasetLevel1764470700000 implements MigrationInterface {
  name = 'DatasetLevel1764470700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cadre.datasets ADD COLUMN level text NOT NULL DEFAULT 'transaction' CHECK (level IN ('person', 'transaction'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cadre.datasets DROP COLUMN level`);
  }
}
