import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { VaultPools } from '@cadre/database';
import { Handler, JobHandler, JobOutcome, JobPayload } from '@cadre/jobs';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { VERSION_TABLE_PATTERN } from '../ingestion/vault-table';
import { completenessSql, toCompleteness } from './completeness';

/**
 * The 'measure-version-quality' job, enqueued in the transaction that records a new
 * version: counts the version's non-empty cells per column as the read-only compute role
 * and stores whole percentages in cadre.dataset_version_quality. Idempotent (a measured
 * version is skipped). Logs and errors carry ids and SQLSTATEs only, never a value.
 */
@Injectable()
@JobHandler('measure-version-quality')
export class MeasureVersionQualityHandler implements Handler<'measure-version-quality'> {
  private readonly logger = new Logger('MeasureVersionQuality');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly pools: VaultPools,
    private readonly config: AppConfig,
  ) {}

  async handle({ versionId }: JobPayload<'measure-version-quality'>): Promise<JobOutcome> {
    const [version] = (await this.db.query(
      `SELECT v.table_name, d.columns, EXISTS (SELECT 1 FROM cadre.dataset_version_quality q WHERE q.version_id = v.id) AS measured
         FROM cadre.dataset_versions v JOIN cadre.datasets d ON d.id = v.dataset_id WHERE v.id = $1`,
      [versionId],
    )) as { table_name: string; columns: ColumnDescriptor[]; measured: boolean }[];
    if (!version || version.measured) return { outcome: 'skipped' };
    if (!VERSION_TABLE_PATTERN.test(version.table_name)) return { outcome: 'rejected', code: 'invalid-table' };

    const counts = await this.count(version.table_name, version.columns);
    const completeness = toCompleteness(version.columns, counts);
    await this.db.query(
      `INSERT INTO cadre.dataset_version_quality (version_id, completeness) VALUES ($1, $2::jsonb) ON CONFLICT (version_id) DO NOTHING`,
      [versionId, JSON.stringify(completeness)],
    );
    return { outcome: 'done' };
  }

  /** One READ ONLY transaction as the compute role; a driver error is rethrown with its SQLSTATE only. */
  private async count(table: string, columns: ColumnDescriptor[]): Promise<Record<string, string>> {
    const pool = await this.pools.computeFor([table]);
    const client: PoolClient = await pool.connect();
    let broken = false;
    try {
      await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(this.config.statementTimeoutMs))}`);
      const { rows } = await client.query<Record<string, string>>(completenessSql(table, columns));
      await client.query('COMMIT');
      return rows[0];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      const code = (err as { code?: string }).code ?? 'unknown';
      this.logger.warn({ sqlState: code }, 'version quality could not be measured');
      throw new Error(`version quality could not be measured (${code})`);
    } finally {
      client.release(broken);
    }
  }
}
