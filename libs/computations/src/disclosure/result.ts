import type { Mechanism } from '../query/computation-query.dto';
import type { Plan, PlannedGroup } from '../planning/plan';

export type SuppressionReason = 'min_cell_size' | 'dominance' | 'secondary';
export type ResultValue = string | number | boolean | null;

/** One published line: group keys ("*" for a margin), measures, and whether it was suppressed. */
export interface ResultRow {
  [column: string]: ResultValue | undefined;
  suppressed: boolean;
  reason?: SuppressionReason;
}

/** The controlled result of a computation (API.md): the only form in which data leave the vault. */
export interface ComputationResult {
  columns: string[];
  rows: ResultRow[];
  disclosure: {
    minCellSize: number;
    primarySuppressed: number;
    secondarySuppressed: number;
    rounding: number;
    /** Rule 3's parameters; null under differential privacy (the noise replaces it). */
    perturbation: { method: 'cell_key'; maxDeviation: number; variance: number } | null;
  };
  /**
   * Under DP with persons in several cells (issue 13): `maxCellsPerPerson` (L) and how many
   * persons had more cells than L (some dropped) — a count rounded to 10 and withheld (null)
   * below the minimum cell size, never a list.
   */
  privacy: { mechanism: Mechanism; epsilonSpent: number; delta?: number; maxCellsPerPerson?: number; boundedPersons?: number | null };
  /** The dataset versions the result was computed on (inside its signature). */
  datasetVersions?: { datasetId: string; version: number }[];
  /** The audit chain head when the result was signed (inside its signature): a later, shorter chain is provably truncated. */
  auditHead?: { seq: number; headHash: string };
}

/** A group key as SQL answers it: text value, 1-based bin index, or null for a rolled-up margin. */
export type RawKey = string | number | null;

export const MARGIN = '*';

/** The published label of a key: "*" for a margin, "[a,b)" for a bin, the value otherwise. */
export function keyLabel(group: PlannedGroup, key: RawKey): string {
  if (key === null) return MARGIN;
  if (group.bins) {
    const i = Number(key);
    return `[${group.bins[i - 1]},${group.bins[i]})`;
  }
  return String(key);
}

/** Result columns: group-by labels, then measure labels. */
export function resultColumns(plan: Plan): string[] {
  return [...plan.groupBy.map((g) => g.label), ...plan.measures.map((m) => m.label)];
}

function compareKey(a: RawKey, b: RawKey): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  const [nx, ny] = [Number(x), Number(y)];
  if (x.trim() !== '' && y.trim() !== '' && Number.isFinite(nx) && Number.isFinite(ny) && nx !== ny) return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Stable publication order: by each key in turn, margins ("*") after the values they total. */
export function compareKeys(a: RawKey[], b: RawKey[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareKey(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Rounds to a multiple of `base` (0: to 2 decimals, removing floating-point dust). */
export function roundTo(value: number, base: number): number {
  if (base > 0) return Math.round(value / base) * base + 0;
  return round2(value);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100 + 0;
}
