import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { roundRowCount } from '../catalogue/dataset-descriptor';
import { DatasetNotFound } from '../catalogue/datasets.errors';
import type { ColumnCompleteness } from './completeness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One version of a dataset as the catalogue shows it: metadata and aggregates only. */
export interface VersionView {
  version: number;
  createdAt: Date;
  /** Rounded to the nearest 10, like the catalogue's row count. */
  rowCount: number;
  current: boolean;
  /** Absent until the worker has measured the version. */
  completeness?: ColumnCompleteness[];
}

/** The version history of a dataset, with each version's measured quality. */
@Injectable()
export class VersionsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first; 404 for an unknown dataset (the same readers as the catalogue entry). */
  async list(datasetId: string, page: { limit: number; offset: number }): Promise<{ items: VersionView[]; total: number }> {
    if (!UUID.test(datasetId)) throw new DatasetNotFound();
    const [dataset] = (await this.db.query(
      `SELECT d.current_version_id, (SELECT count(*)::int FROM cadre.dataset_versions v WHERE v.dataset_id = d.id) AS total
         FROM cadre.datasets d WHERE d.id = $1`,
      [datasetId],
    )) as { current_version_id: string | null; total: number }[];
    if (!dataset) throw new DatasetNotFound();
    const rows = (await this.db.query(
      `SELECT v.id, v.number, v.created_at, v.row_count, q.completeness
         FROM cadre.dataset_versions v LEFT JOIN cadre.dataset_version_quality q ON q.version_id = v.id
        WHERE v.dataset_id = $1 ORDER BY v.number DESC LIMIT $2 OFFSET $3`,
      [datasetId, page.limit, page.offset],
    )) as { id: string; number: number; created_at: Date; row_count: string; completeness: ColumnCompleteness[] | null }[];
    return {
      total: dataset.total,
      items: rows.map((r) => ({
        version: r.number,
        createdAt: r.created_at,
        rowCount: roundRowCount(Number(r.row_count)),
        current: r.id === dataset.current_version_id,
        ...(r.completeness ? { completeness: r.completeness.map((c) => ({ column: c.column, nonNullPercent: c.nonNullPercent })) } : {}),
      })),
    };
  }
}
