import type { FilterOp, FilterScalar, MeasureFn, Mechanism } from '../query/computation-query.dto';

/** A column as the plan names it: the dataset (by id) and the catalogue's column name. */
export interface ColumnRef {
  datasetId: string;
  column: string;
}

export interface PlannedDataset {
  alias: string;
  datasetId: string;
  kind: 'person' | 'reference';
}

export interface PlannedFilter {
  ref: ColumnRef;
  op: FilterOp;
  /** One value for comparisons, the list for `in`, the two bounds for `between`. */
  values: FilterScalar[];
}

export interface PlannedGroup {
  /** The query's own spelling (`h.age`): the result column's name. */
  label: string;
  ref: ColumnRef;
  /** Half-open bins [b0,b1), [b1,b2) …; values outside every bin are dropped. */
  bins?: number[];
  /** Under differential privacy: the declared categories (bins are their own domain). */
  categories?: string[];
}

export interface PlannedMeasure {
  label: string;
  fn: MeasureFn;
  ref?: ColumnRef;
  q?: number;
}

export interface PlannedJoin {
  /** A column of a person-level dataset. */
  left: ColumnRef;
  /** The reference dataset's reference_key. */
  right: ColumnRef;
}

/** A validated query: every name checked against the catalogue and the contracts. Stored as JSON. */
export interface Plan {
  version: 1;
  datasets: PlannedDataset[];
  where: PlannedFilter[];
  groupBy: PlannedGroup[];
  measures: PlannedMeasure[];
  joins: PlannedJoin[];
  totals: boolean;
  privacy: { mechanism: Mechanism; epsilon: number; delta: number };
  /** Dominance needs the n largest contributions of a cell: the largest n of the policy's rules. */
  dominanceN: number;
}
