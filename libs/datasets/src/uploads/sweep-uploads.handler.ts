import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryReturning } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import { VaultPools } from '@cadre/database';
import { Handler, JobHandler } from '@cadre/jobs';

/**
 * An upload still unfinished after this long lost the process that streamed it (an
 * upload is ingested while its request streams; a healthy one takes seconds or minutes).
 */
export const STALE_UPLOAD_INTERVAL = '1 hour';
const INTERRUPTED = [{ line: 0, column: null, message: 'the upload was interrupted; nothing was kept' }];

/**
 * The periodic 'sweep-uploads' job: fails uploads whose process died mid-stream, then
 * drops vault tables that no version references and no live upload will (what a crash
 * between the vault commit and the governance commit leaves). The drop goes through
 * vault.drop_orphan_version(), which re-checks both conditions under the owner.
 */
@Injectable()
@JobHandler('sweep-uploads')
export class SweepUploadsHandler implements Handler<'sweep-uploads'> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly pools: VaultPools,
  ) {}

  async handle(): Promise<void> {
    await this.failStaleUploads();
    await this.dropOrphanTables();
  }

  /** Marks dead uploads failed, each with its audit event; answers how many. */
  async failStaleUploads(): Promise<number> {
    return this.db.transaction(async (em) => {
      const rows = await queryReturning<{ id: string; dataset_id: string; organisation_id: string }>(
        em,
        `UPDATE cadre.uploads u SET status = 'failed', rows_accepted = 0, errors = $1::jsonb, error_count = 1, finished_at = now()
           FROM cadre.datasets d
          WHERE d.id = u.dataset_id AND u.status IN ('queued', 'running') AND u.created_at < now() - $2::interval
          RETURNING u.id, u.dataset_id, d.organisation_id`,
        [JSON.stringify(INTERRUPTED), STALE_UPLOAD_INTERVAL],
      );
      for (const u of rows) {
        await this.audit.append(em, {
          actorId: null,
          action: 'dataset.upload_failed',
          subjectType: 'Upload',
          subjectId: u.id,
          organisationIds: [u.organisation_id],
          data: { datasetId: u.dataset_id, errorCount: 1, reason: 'interrupted' },
        });
      }
      return rows.length;
    });
  }

  /** Drops unreferenced version tables; answers their names. */
  async dropOrphanTables(): Promise<string[]> {
    const candidates: { tablename: string }[] = await this.db.query(
      `SELECT t.tablename FROM pg_catalog.pg_tables t
        WHERE t.schemaname = 'vault' AND t.tablename ~ '^ds_[0-9a-f]{32}_v[1-9][0-9]{0,8}$'
          AND NOT EXISTS (SELECT 1 FROM cadre.dataset_versions v WHERE v.table_name = t.tablename)
          AND NOT EXISTS (SELECT 1 FROM cadre.uploads u WHERE u.table_name = t.tablename AND u.status IN ('queued', 'running'))`,
    );
    const dropped: string[] = [];
    for (const { tablename } of candidates) {
      const { rows } = await this.pools.ingest().query<{ dropped: boolean }>('SELECT vault.drop_orphan_version($1) AS dropped', [tablename]);
      if (rows[0]?.dropped) dropped.push(tablename);
    }
    return dropped;
  }
}
