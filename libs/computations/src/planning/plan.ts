import type { FilterOp, FilterScalar, Mechanism } from '../query/computation-query.dto';
import type { PlannedFn } from './measures';

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
  /**
   * The declared values of the column (categories, booleans, integers within declared
   * bounds), as the group key spells them (text). See `domain.ts`.
   */
  categories?: string[];
  /** The domain is the keys of this joined reference dataset's reference_key (public open data). */
  reference?: ColumnRef;
}

export interface PlannedMeasure {
  label: string;
  fn: PlannedFn;
  /** The summed column of a sum, mean, quantile, or rate of a sum. */
  ref?: ColumnRef;
  q?: number;
  /** A rate: numerator (the count, or the sum of `ref`), denominator column of a joined reference dataset, scale. */
  rate?: {
    of: 'count' | 'sum';
    per: ColumnRef;
    scale: number;
    /** The reference dataset's key column, and the group-by index of the key (-1: not grouped, the whole reference). */
    key: ColumnRef;
    groupIndex: number;
  };
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
  /** `maxCellsPerPerson` (L, under DP only; absent: 1): each person's contribution is bounded to L cells. */
  privacy: { mechanism: Mechanism; epsilon: number; delta: number; maxCellsPerPerson?: number };
  /** Rule 3: the cell key perturbation (none under DP). */
  perturbation: { maxDeviation: number; variance: number } | null;
  /** Dominance needs the n largest contributions of a cell: the largest n of the policy's rules. */
  dominanceN: number;
}
