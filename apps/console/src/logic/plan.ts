import type { Json } from '../api';

/** A dataset the use case requested, as the builder offers it. */
export interface PlanDataset {
  id: string;
  name: string;
  kind: 'person' | 'reference';
  alias: string;
  columns: { name: string; type: string; role: string; categories?: string[] }[];
}

export interface PlanState {
  selected: string[];
  filters: { column: string; op: string; value: string }[];
  groups: { column: string; bins: string }[];
  count: boolean;
  sumOf: string;
  meanOf: string;
  ratePer: string;
  rateScale: string;
  joinLeft: string;
  totals: boolean;
  mechanism: string;
  epsilon: string;
  delta: string;
}

export const initialPlan = (): PlanState => ({
  selected: [], filters: [], groups: [{ column: '', bins: '' }], count: true, sumOf: '', meanOf: '', ratePer: '', rateScale: '1000', joinLeft: '', totals: false, mechanism: 'none', epsilon: '0.5', delta: '0.000001',
});

/** A short alias the API accepts (`^[a-z][a-z0-9_]{0,15}$`), from the dataset's name. */
export function aliasOf(name: string, taken: Set<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '').slice(0, 16) || 'd';
  let alias = base;
  for (let i = 2; taken.has(alias); i++) alias = `${base.slice(0, 16 - String(i).length)}${i}`;
  taken.add(alias);
  return alias;
}

/** `12` → 12, `true` → true, `a,b` → ['a','b'] for `in` and `between`. */
export function parseValue(op: string, raw: string): unknown {
  const one = (s: string) => (s.trim() === 'true' ? true : s.trim() === 'false' ? false : s.trim() !== '' && !Number.isNaN(Number(s)) ? Number(s) : s.trim());
  if (op === 'in' || op === 'between') return raw.split(',').map(one);
  return one(raw);
}

/**
 * The person-level column the reference dataset joins on when the researcher left it to the
 * builder: the one whose declared categories are the reference key's (same code domain).
 */
export function autoJoinColumn(datasets: PlanDataset[], state: PlanState): string | undefined {
  const chosen = datasets.filter((d) => state.selected.includes(d.id));
  const reference = chosen.find((d) => d.kind === 'reference');
  const key = reference?.columns.find((c) => c.role === 'reference_key');
  if (!key?.categories) return undefined;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const d of chosen.filter((x) => x.kind === 'person')) {
    const c = d.columns.find((x) => x.categories && same([...x.categories].sort(), [...key.categories!].sort()));
    if (c) return `${d.alias}.${c.name}`;
  }
  return undefined;
}

/** The declarative query the builder sends (POST /use-cases/{id}/computations), from the form's state. */
export function buildQuery(datasets: PlanDataset[], state: PlanState): Json {
  const chosen = datasets.filter((d) => state.selected.includes(d.id));
  const reference = chosen.find((d) => d.kind === 'reference');
  const referenceKey = reference?.columns.find((c) => c.role === 'reference_key');
  const measures: Json[] = [];
  if (state.count) measures.push({ fn: 'count' });
  if (state.sumOf) measures.push({ fn: 'sum', column: state.sumOf });
  if (state.meanOf) measures.push({ fn: 'mean', column: state.meanOf });
  if (state.ratePer) measures.push({ fn: 'rate', of: 'count', per: state.ratePer, scale: Number(state.rateScale) });
  const left = state.joinLeft || autoJoinColumn(datasets, state);
  const epsilon = Number(state.epsilon);
  return {
    datasets: chosen.map((d) => ({ datasetId: d.id, as: d.alias })),
    where: state.filters.filter((f) => f.column).map((f) => ({ column: f.column, op: f.op, value: parseValue(f.op, f.value) })),
    groupBy: state.groups.filter((g) => g.column).map((g) => (g.bins.trim() ? { column: g.column, bins: g.bins.split(',').map(Number) } : g.column)),
    measures,
    join: reference && referenceKey && left ? [{ left, right: `${reference.alias}.${referenceKey.name}` }] : [],
    totals: state.totals,
    privacy: state.mechanism === 'none' ? { mechanism: 'none' } : { mechanism: state.mechanism, epsilon, ...(state.mechanism === 'gaussian' ? { delta: Number(state.delta) } : {}) },
  };
}
