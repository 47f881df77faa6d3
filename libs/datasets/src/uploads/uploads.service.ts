import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryReturning } from '@cadre/common';
import { subject, type AppAbility } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import { VaultPools } from '@cadre/database';
import { UnitOfWork, OutboxService } from '@cadre/jobs';
import { MembershipPolicy } from '@cadre/members';
import { recordIngest, secondsSince } from '@cadre/metrics';
import type { ColumnDescriptor } from '../catalogue/column-schema';
import { DatasetVersion } from '../catalogue/dataset-version.entity';
import { DatasetNotFound, UploadNotFound } from '../catalogue/datasets.errors';
import type { DatasetActor } from '../catalogue/datasets.service';
import { IngestionService, IngestOutcome } from '../ingestion/ingestion.service';
import { versionTableName } from '../ingestion/vault-table';
import { Upload } from './upload.entity';
import { toUploadView, UploadView } from './upload-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTERNAL_FAILURE = { line: 0, column: null, message: 'the upload could not be loaded (internal error); nothing was kept' };

/**
 * Uploads of a dataset: the governance side (upload rows, versions, the current version,
 * the audit trail) around the IngestionService's vault transaction. A version becomes
 * current only once both the vault and the governance transaction committed.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ingestion: IngestionService,
    private readonly pools: VaultPools,
    private readonly audit: AuditService,
    private readonly membership: MembershipPolicy,
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: OutboxService,
  ) {}

  /** Streams a CSV into a new version of one of the actor's organisation's datasets; resolves with the final status. */
  async upload(actor: DatasetActor, datasetId: string, source: Readable): Promise<UploadView> {
    if (!UUID.test(datasetId)) throw new DatasetNotFound();
    const dataset = await this.db.query(`SELECT d.id, d.organisation_id, d.columns, d.level, v.content_sha256 AS current_sha
      FROM cadre.datasets d LEFT JOIN cadre.dataset_versions v ON v.id = d.current_version_id
      WHERE d.id = $1 AND d.organisation_id = $2`, [datasetId, actor.organisationId]) as { id: string; organisation_id: string; columns: ColumnDescriptor[]; level: string; current_sha: string | null }[];
    if (!dataset.length) throw new DatasetNotFound();
    await this.membership.assertCanAct(actor.organisationId, 'upload_data');
    const { columns, level, current_sha: currentSha256 } = dataset[0];

    const upload = await this.db.transaction(async (em) => {
      // The upload's sequence number names its vault table (unique, refused uploads included); the version number comes on acceptance.
      const [{ version_seq }] = await queryReturning<{ version_seq: number }>(em, `UPDATE cadre.datasets SET version_seq = version_seq + 1 WHERE id = $1 RETURNING version_seq`, [datasetId]);
      const created = await em.getRepository(Upload).save(
        em.getRepository(Upload).create({ datasetId, status: 'queued', tableName: versionTableName(datasetId, version_seq), createdBy: actor.id }),
      );
      await this.appendEvent(em, actor, created, 'dataset.upload_started', {});
      return created;
    });
    await this.db.query(`UPDATE cadre.uploads SET status = 'running' WHERE id = $1 AND status = 'queued'`, [upload.id]);

    const started = process.hrtime.bigint();
    let outcome: IngestOutcome;
    try {
      outcome = await this.ingestion.ingest({ table: upload.tableName, columns, source, currentSha256, uniqueLinkageKey: level === 'person' });
    } catch (err) {
      await this.markFailed(actor, upload, [INTERNAL_FAILURE], 1);
      throw err;
    }
    try {
      await this.record(actor, upload, outcome);
    } catch (err) {
      // The vault may hold a finalised table no version references: fail the upload, drop the table.
      await this.markFailed(actor, upload, [INTERNAL_FAILURE], 1);
      await this.pools.ingest().query('SELECT vault.drop_orphan_version($1)', [upload.tableName]).catch(() => undefined);
      throw err;
    }
    if (outcome.status !== 'failed') recordIngest(outcome.rowsAccepted, secondsSince(started));
    return this.view(upload.id);
  }

  /** One upload of one of the actor's organisation's datasets (404 otherwise). */
  /** An upload of the actor's organisation's dataset that the rules let it read; 404 for anyone else, like an unknown id. */
  async findById(actor: DatasetActor, ability: AppAbility, datasetId: string, uploadId: string): Promise<UploadView> {
    if (!UUID.test(datasetId) || !UUID.test(uploadId)) throw new UploadNotFound();
    const found = await this.db
      .getRepository(Upload)
      .createQueryBuilder('u')
      .where('u.id = :uploadId AND u.dataset_id = :datasetId', { uploadId, datasetId })
      .andWhere('EXISTS (SELECT 1 FROM cadre.datasets d WHERE d.id = u.dataset_id AND d.organisation_id = :org)', { org: actor.organisationId })
      .getOne();
    // Found only within the actor's organisation: the upload is that organisation's.
    if (!found || !ability.can('read', subject('Upload', { organisationId: actor.organisationId }))) throw new UploadNotFound();
    return toUploadView(found);
  }

  private async view(uploadId: string): Promise<UploadView> {
    return toUploadView(await this.db.getRepository(Upload).findOneByOrFail({ id: uploadId }));
  }

  /** The governance transaction after the vault one: version, current pointer, upload status, audit. */
  private async record(actor: DatasetActor, upload: Upload, outcome: IngestOutcome): Promise<void> {
    if (outcome.status === 'failed') return this.markFailed(actor, upload, outcome.errors, outcome.errorCount);
    // A UnitOfWork: the quality job enqueued with the new version is published once it commits.
    await this.unitOfWork.run(async (em) => {
      let versionId: string;
      let versionNumber: number;
      if (outcome.unchanged) {
        const [current] = (await em.query(
          `SELECT v.id, v.number FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`,
          [upload.datasetId],
        )) as { id: string; number: number }[];
        versionId = current.id;
        versionNumber = current.number;
      } else {
        versionNumber = await this.nextVersionNumber(em, upload.datasetId);
        const version = await em.getRepository(DatasetVersion).save(
          em.getRepository(DatasetVersion).create({
            datasetId: upload.datasetId,
            number: versionNumber,
            tableName: upload.tableName,
            rowCount: outcome.rowsAccepted,
            contentSha256: outcome.contentSha256,
            uploadId: upload.id,
          }),
        );
        versionId = version.id;
        await em.query(`UPDATE cadre.datasets SET current_version_id = $2 WHERE id = $1`, [upload.datasetId, versionId]);
        await this.outbox.enqueue(em, 'measure-version-quality', { versionId });
      }
      const result = await em.query(
        `UPDATE cadre.uploads SET status = 'succeeded', rows_accepted = $2, content_sha256 = $3, version_id = $4, finished_at = now()
          WHERE id = $1 AND status = 'running'`,
        [upload.id, outcome.rowsAccepted, outcome.contentSha256, versionId],
      );
      if (result[1] !== 1) throw new Error('upload left the running state');
      await this.appendEvent(em, actor, upload, 'dataset.upload_succeeded', { rowsAccepted: outcome.rowsAccepted, version: versionNumber, unchanged: outcome.unchanged });
    });
  }

  /**
   * Version numbers are dense over accepted versions (issue 10): the number is taken when
   * the version is accepted, in the transaction that records it, under the dataset's row
   * lock (two uploads accepted at once get n and n+1). A refused upload never takes one;
   * it only used an upload sequence number, which names its vault table.
   */
  private async nextVersionNumber(em: EntityManager, datasetId: string): Promise<number> {
    const [{ next }] = (await em.query(
      `SELECT (SELECT coalesce(max(v.number), 0) + 1 FROM cadre.dataset_versions v WHERE v.dataset_id = d.id) AS next
         FROM cadre.datasets d WHERE d.id = $1 FOR UPDATE`,
      [datasetId],
    )) as { next: number }[];
    return Number(next);
  }

  private async markFailed(actor: DatasetActor, upload: Upload, errors: IngestOutcome['errors'], errorCount: number): Promise<void> {
    await this.db
      .transaction(async (em) => {
        const result = await em.query(
          `UPDATE cadre.uploads SET status = 'failed', rows_accepted = 0, errors = $2::jsonb, error_count = $3, finished_at = now()
            WHERE id = $1 AND status IN ('queued', 'running')`,
          [upload.id, JSON.stringify(errors), errorCount],
        );
        if (result[1] === 1) await this.appendEvent(em, actor, upload, 'dataset.upload_failed', { errorCount });
      })
      .catch((err: { code?: string }) => this.logger.error({ code: err?.code }, 'could not record a failed upload'));
  }

  private appendEvent(em: EntityManager, actor: DatasetActor, upload: Upload, action: string, data: Record<string, unknown>): Promise<void> {
    return this.audit.append(em, {
      actorId: actor.id,
      action,
      subjectType: 'Upload',
      subjectId: upload.id,
      organisationIds: [actor.organisationId],
      data: { datasetId: upload.datasetId, ...data },
    });
  }
}
