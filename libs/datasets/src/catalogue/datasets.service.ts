import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@cadre/audit';
import { prepared, runPrepared } from '@cadre/common';
import type { Page } from '@cadre/common';
import { checkColumns, ColumnDescriptor, DatasetLevel, normaliseColumns } from './column-schema';
import { DatasetDescriptor, DatasetView, roundRowCount } from './dataset-descriptor';
import { Dataset } from './dataset.entity';
import { DatasetNameTaken, DatasetNotFound, InvalidDatasetSchema } from './datasets.errors';

/** Who acts on the catalogue (structurally an identity Actor). */
export interface DatasetActor {
  id: string;
  organisationId: string;
}

export interface CreateDatasetInput {
  name: string;
  description?: string;
  /** Default `transaction`: any number of rows per person. */
  level?: DatasetLevel;
  columns: ColumnDescriptor[];
}

interface CatalogueRow {
  id: string;
  name: string;
  description: string;
  organisation_id: string;
  kind: Dataset['kind'];
  level: Dataset['level'];
  columns: ColumnDescriptor[];
  created_at: Date;
  version_id: string | null;
  version_number: number | null;
  table_name: string | null;
  row_count: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CATALOGUE_SELECT = `SELECT d.id, d.name, d.description, d.organisation_id, d.kind, d.level, d.columns, d.created_at,
       v.id AS version_id, v.number AS version_number, v.table_name, v.row_count
  FROM cadre.datasets d LEFT JOIN cadre.dataset_versions v ON v.id = d.current_version_id`;

/** What the planner reads of the datasets of a query (twice by every computation): prepared. */
const DESCRIBE = prepared(`${CATALOGUE_SELECT} WHERE d.id = ANY((SELECT $1::uuid[])::uuid[])`); // an array parameter: see PreparedSql

function toView(r: CatalogueRow): DatasetView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    organisationId: r.organisation_id,
    kind: r.kind,
    level: r.level,
    columns: r.columns,
    rowCount: roundRowCount(Number(r.row_count ?? 0)),
    currentVersion: r.version_number,
    currentVersionId: r.version_id,
    createdAt: r.created_at,
  };
}

/** The dataset catalogue: declarations and current versions, never a value from the data. */
@Injectable()
export class DatasetsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Declares a dataset of the actor's organisation; its kind follows from its key columns. */
  async create(actor: DatasetActor, input: CreateDatasetInput): Promise<DatasetView> {
    const columns = normaliseColumns(input.columns);
    const checked = checkColumns(columns);
    if (!checked.kind) throw new InvalidDatasetSchema(checked.problems);
    const kind = checked.kind;
    const level = input.level ?? 'transaction';
    const id = await this.db
      .transaction(async (em) => {
        const saved = await em.getRepository(Dataset).save(
          em.getRepository(Dataset).create({
            organisationId: actor.organisationId,
            name: input.name,
            description: input.description ?? '',
            kind,
            level,
            columns,
            currentVersionId: null,
            createdBy: actor.id,
          }),
        );
        await this.audit.append(em, {
          actorId: actor.id,
          action: 'dataset.created',
          subjectType: 'Dataset',
          subjectId: saved.id,
          organisationIds: [actor.organisationId],
          data: { name: saved.name, kind, level, columns: columns.length },
        });
        return saved.id;
      })
      .catch((err: { code?: string; constraint?: string }) => {
        if (err?.code === '23505') throw new DatasetNameTaken();
        throw err;
      });
    return this.findById(id);
  }

  /** The catalogue, newest first (every authenticated user may read it). */
  async list(page: { limit: number; offset: number }): Promise<Page<DatasetView>> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query(`${CATALOGUE_SELECT} ORDER BY d.created_at DESC, d.id LIMIT $1 OFFSET $2`, [page.limit, page.offset]) as Promise<CatalogueRow[]>,
      this.db.query(`SELECT count(*)::int AS total FROM cadre.datasets`) as Promise<{ total: number }[]>,
    ]);
    return { items: rows.map(toView), total };
  }

  async findById(id: string): Promise<DatasetView> {
    if (!UUID.test(id)) throw new DatasetNotFound();
    const rows: CatalogueRow[] = await this.db.query(`${CATALOGUE_SELECT} WHERE d.id = $1`, [id]);
    if (!rows.length) throw new DatasetNotFound();
    return toView(rows[0]);
  }

  /** For trusted callers (the computations compiler): declarations and current vault tables; missing ids are absent. */
  async describe(ids: string[]): Promise<DatasetDescriptor[]> {
    const valid = ids.filter((id) => UUID.test(id));
    if (!valid.length) return [];
    const rows = (await runPrepared(this.db, DESCRIBE, [valid])) as CatalogueRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      organisationId: r.organisation_id,
      kind: r.kind,
      level: r.level,
      columns: r.columns,
      current: r.version_id && r.table_name ? { versionId: r.version_id, table: r.table_name, rowCount: Number(r.row_count) } : null,
    }));
  }
}
