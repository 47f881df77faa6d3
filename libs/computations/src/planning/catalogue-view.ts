import { PolicyViolation } from '@cadre/common';
import type { CatalogueColumn, CatalogueDataset, GrantingTerms } from '../policy/policy';
import type { ColumnRef } from './plan';

/** A column the query names, resolved against the catalogue. */
export interface ResolvedColumn {
  ref: ColumnRef;
  label: string;
  alias: string;
  dataset: CatalogueDataset;
  column: CatalogueColumn;
}

/**
 * The query's datasets (alias → catalogue entry) and what the use case and its contracts
 * grant on each: a column is usable only if the use case requested it and every contract
 * that covers its dataset grants it.
 */
export class CatalogueView {
  private readonly granted = new Map<string, Set<string>>();

  constructor(
    readonly byAlias: Map<string, CatalogueDataset>,
    requested: { datasetId: string; columns: string[] }[],
    contracts: GrantingTerms[],
  ) {
    for (const dataset of byAlias.values()) {
      const asked = requested.filter((r) => r.datasetId === dataset.id).flatMap((r) => r.columns);
      const covering = contracts.map((t) => t.datasets.filter((d) => d.datasetId === dataset.id)).filter((d) => d.length > 0);
      const grants = new Set(asked);
      if (covering.length === 0) grants.clear();
      for (const entries of covering) {
        const cols = new Set(entries.flatMap((e) => e.columns));
        for (const c of [...grants]) if (!cols.has(c)) grants.delete(c);
      }
      this.granted.set(dataset.id, grants);
    }
  }

  /** Resolves `alias.column`; linkage keys are refused before grants so the attack gets its own code. */
  resolve(spelling: string, field: string, options: { allowLinkage?: boolean } = {}): ResolvedColumn {
    const dot = spelling.indexOf('.');
    const alias = spelling.slice(0, dot);
    const name = spelling.slice(dot + 1);
    const dataset = this.byAlias.get(alias);
    const column = dataset?.columns.find((c) => c.name === name);
    if (!dataset || !column) {
      throw new PolicyViolation('unknown_column', `${field} names a column that is not in the query's datasets`, [
        { field, message: 'unknown column' },
      ]);
    }
    if (column.role === 'linkage_key' && !options.allowLinkage) {
      throw new PolicyViolation('linkage_key_forbidden', `${field} names a linkage key: it can never be filtered, grouped, measured or joined on`, [
        { field, message: 'linkage keys are never usable in a query' },
      ]);
    }
    if (!this.granted.get(dataset.id)?.has(name)) {
      throw new PolicyViolation('column_not_granted', `${field} names a column not granted by every contract of the use case`, [
        { field, message: 'column not granted' },
      ]);
    }
    return { ref: { datasetId: dataset.id, column: name }, label: `${alias}.${name}`, alias, dataset, column };
  }
}

/**
 * Whether a group-by set hits a forbidden set of the decision: every member of the
 * forbidden set (spelled `datasetName.column`, `datasetId.column` or a bare column name,
 * compared case-insensitively) is among the grouped columns.
 */
export function forbiddenGroupByHit(groups: ResolvedColumn[], forbidden: string[][]): string[] | null {
  const matches = (entry: string, g: ResolvedColumn) => {
    const e = entry.trim().toLowerCase();
    const col = g.column.name.toLowerCase();
    const dot = e.lastIndexOf('.');
    if (dot < 0) return e === col;
    const [owner, name] = [e.slice(0, dot), e.slice(dot + 1)];
    return name === col && (owner === g.dataset.name.toLowerCase() || owner === g.dataset.id.toLowerCase());
  };
  return forbidden.find((set) => set.every((entry) => groups.some((g) => matches(entry, g)))) ?? null;
}
