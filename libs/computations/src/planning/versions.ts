import type { CatalogueDataset } from '../policy/policy';
import type { Plan } from './plan';

/** A dataset version as a result records it (API.md `datasetVersions`). */
export interface DatasetVersionRef {
  datasetId: string;
  version: number;
}

/** The catalogue's version tables are `ds_<id without dashes>_v<n>` (datasets `versionTableName`). */
const VERSION_TABLE = /^ds_([0-9a-f]{32})_v([1-9][0-9]{0,8})$/;

function tableOf(datasetId: string, version: number): string {
  return `ds_${datasetId.replace(/-/g, '').toLowerCase()}_v${version}`;
}

/** The versions a plan reads now: the current version of each of its datasets, in the plan's order. */
export function currentVersions(plan: Plan, catalogue: CatalogueDataset[]): DatasetVersionRef[] {
  return plan.datasets.map((d) => {
    const table = catalogue.find((c) => c.id === d.datasetId)?.current?.table ?? '';
    const m = VERSION_TABLE.exec(table);
    if (!m) throw new Error('the catalogue lacks a dataset version of the plan');
    return { datasetId: d.datasetId, version: Number(m[2]) };
  });
}

/**
 * The catalogue as it was for a recorded result: each recorded dataset's `current` set to
 * the version the result was computed on (versions are immutable tables), so an earlier
 * population is re-derived on what it was computed on, never re-planned on today's data.
 */
export function catalogueAt(catalogue: CatalogueDataset[], versions: DatasetVersionRef[] | undefined): CatalogueDataset[] {
  if (!versions?.length) return catalogue;
  return catalogue.map((d) => {
    const v = versions.find((x) => x.datasetId === d.id);
    if (!v || !d.current) return d;
    return { ...d, current: { ...d.current, versionId: `${d.current.versionId}@v${v.version}`, table: tableOf(d.id, v.version) } };
  });
}
