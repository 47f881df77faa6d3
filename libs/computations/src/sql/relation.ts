import type { CatalogueColumn, CatalogueDataset } from '../policy/policy';
import type { ColumnRef, Plan, PlannedFilter, PlannedGroup } from '../planning/plan';
import { quoteIdent, SqlParams, vaultTable } from './sql-text';

/** The cast of a user value compared with a column, from the catalogue type (as the vault stores it). */
const VALUE_CAST: Record<CatalogueColumn['type'], string> = {
  integer: 'bigint',
  number: 'double precision',
  text: 'text',
  category: 'text',
  date: 'date',
  boolean: 'boolean',
};

const COMPARATORS: Record<Exclude<PlannedFilter['op'], 'in' | 'between'>, string> = {
  eq: '=',
  neq: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};

/**
 * The joined rows of a plan: person-level datasets inner-joined on their linkage
 * pseudonyms, reference datasets joined on their reference key, rows filtered by
 * `where` and by the group keys (a row whose key is missing or outside every bin is in
 * no cell). SQL aliases are generated (`d0`, `d1`…): nothing the user typed is an identifier.
 */
export class PlanRelation {
  private readonly sqlAlias = new Map<string, string>();
  private readonly datasets = new Map<string, CatalogueDataset>();
  /** The person pseudonym: the linkage key of the first person-level dataset. */
  readonly personId: string;

  constructor(
    private readonly plan: Plan,
    catalogue: CatalogueDataset[],
    private readonly params: SqlParams,
    prefix = 'd',
  ) {
    plan.datasets.forEach((d, i) => {
      const entry = catalogue.find((c) => c.id === d.datasetId);
      if (!entry || !entry.current) throw new Error('the catalogue lacks a dataset of the plan');
      if (entry.kind !== d.kind) throw new Error('the catalogue disagrees with the plan');
      this.datasets.set(d.datasetId, entry);
      this.sqlAlias.set(d.datasetId, `${prefix}${i}`);
    });
    const first = plan.datasets.find((d) => d.kind === 'person');
    if (!first) throw new Error('a plan needs a person-level dataset');
    this.personId = this.linkage(first.datasetId);
  }

  /** The column's catalogue entry; throws if the catalogue does not have it (identifiers come only from there). */
  column(ref: ColumnRef): CatalogueColumn {
    const col = this.datasets.get(ref.datasetId)?.columns.find((c) => c.name === ref.column);
    if (!col) throw new Error('the catalogue lacks a column of the plan');
    return col;
  }

  /** `dN."column"`, validated against the catalogue. */
  ref(ref: ColumnRef): string {
    this.column(ref);
    return `${this.sqlAlias.get(ref.datasetId)}.${quoteIdent(ref.column)}`;
  }

  private linkage(datasetId: string): string {
    const key = this.datasets.get(datasetId)!.columns.find((c) => c.role === 'linkage_key');
    if (!key) throw new Error('a person-level dataset without linkage key');
    return `${this.sqlAlias.get(datasetId)}.${quoteIdent(key.name)}`;
  }

  /** FROM … JOIN … of the plan. */
  from(): string {
    const persons = this.plan.datasets.filter((d) => d.kind === 'person');
    const parts = persons.map((d, i) => {
      const table = `${vaultTable(this.datasets.get(d.datasetId)!.current!.table)} AS ${this.sqlAlias.get(d.datasetId)}`;
      return i === 0 ? table : `JOIN ${table} ON ${this.linkage(d.datasetId)} = ${this.personId}`;
    });
    for (const j of this.plan.joins) {
      const table = vaultTable(this.datasets.get(j.right.datasetId)!.current!.table);
      parts.push(`JOIN ${table} AS ${this.sqlAlias.get(j.right.datasetId)} ON (${this.ref(j.right)})::text = (${this.ref(j.left)})::text`);
    }
    return `FROM ${parts.join(' ')}`;
  }

  /** The group key of a row: its text value, or the 1-based bin index (0 / n: outside every bin). */
  groupKey(g: PlannedGroup): string {
    const col = this.ref(g.ref);
    if (g.bins) return `width_bucket((${col})::double precision, ${this.params.add(g.bins, 'double precision[]')})`;
    return `(${col})::text`;
  }

  /** Conditions every counted row meets: the filters, then the group keys in their domain. */
  conditions(): string[] {
    const out = [`${this.personId} IS NOT NULL`];
    for (const f of this.plan.where) out.push(this.filter(f));
    for (const g of this.plan.groupBy) {
      const key = this.groupKey(g);
      if (g.bins) out.push(`${key} BETWEEN 1 AND ${this.params.add(g.bins.length - 1, 'integer')}`);
      else if (g.categories && this.isDeclaredCategoryDomain(g)) out.push(`${key} IS NOT NULL`);
      else if (g.categories) out.push(`${key} = ANY(${this.params.add(g.categories, 'text[]')})`);
      else out.push(`${key} IS NOT NULL`);
    }
    return out;
  }

  /**
   * A category column grouped on its own declared categories: ingestion admits no other
   * value (row-validator) and a dataset's columns never change, so every non-null value of
   * every version is in the domain and the `= ANY(categories)` test (a hash probe per row,
   * ~13 % of a 10M-person aggregate) is `IS NOT NULL`. Rule 0 still fails closed: a cell
   * outside the domain in the aggregate's answer fails the computation (assertWithinDomain).
   */
  private isDeclaredCategoryDomain(g: PlannedGroup): boolean {
    const col = this.column(g.ref);
    if (col.type !== 'category' || !col.categories || !g.categories) return false;
    const declared = new Set(col.categories);
    return g.categories.length === declared.size && g.categories.every((c) => declared.has(c));
  }

  private filter(f: PlannedFilter): string {
    const col = this.ref(f.ref);
    const cast = VALUE_CAST[this.column(f.ref).type];
    switch (f.op) {
      case 'in':
        return `${col} = ANY(${this.params.add(f.values, `${cast}[]`)})`;
      case 'between':
        return `${col} BETWEEN ${this.params.add(f.values[0], cast)} AND ${this.params.add(f.values[1], cast)}`;
      default:
        return `${col} ${COMPARATORS[f.op]} ${this.params.add(f.values[0], cast)}`;
    }
  }

  /** The persons counted by the plan (for differencing): distinct pseudonyms, never selected out of SQL. */
  population(): string {
    return `SELECT DISTINCT ${this.personId} AS pid ${this.from()} WHERE ${this.conditions().join(' AND ')}`;
  }
}
