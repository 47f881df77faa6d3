import { ErrorCodeOf, PolicyViolation } from '@cadre/common';
import type { FilterScalar } from '../query/computation-query.dto';
import type { ComputationQuery } from '../query/query';
import type { CatalogueDataset, EffectivePolicy, GrantingTerms } from '../policy/policy';
import { CatalogueView, forbiddenGroupByHit, ResolvedColumn } from './catalogue-view';
import { DEFAULT_MAX_RESULT_CELLS, groupDomain, resultRowCount } from './domain';
import type { ColumnRef, Plan, PlannedFilter, PlannedGroup, PlannedJoin, PlannedMeasure } from './plan';
import { assertNever } from './measures';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export interface PlanningContext {
  /** `DatasetsService.describe(ids)` of the query's dataset ids (missing ids are absent). */
  catalogue: CatalogueDataset[];
  /** The use case's requested datasets and columns. */
  requestedDatasets: { datasetId: string; columns: string[] }[];
  /** The terms of the use case's contracts. */
  contracts: GrantingTerms[];
  policy: EffectivePolicy;
  /** The cap on a result's rows, margins included (CADRE_MAX_RESULT_CELLS; default 10,000). */
  maxCells?: number;
}

function refuse(code: ErrorCodeOf<'policy'>, field: string, detail: string): never {
  throw new PolicyViolation(code, detail, [{ field, message: detail }]);
}

/**
 * Checks a well-formed query against the catalogue, the use case, its contracts and the
 * effective disclosure policy, and returns the plan the compiler turns into SQL.
 * Throws PolicyViolation (422) with a stable code at the first refusal.
 */
export function planComputation(query: ComputationQuery, ctx: PlanningContext): Plan {
  const byAlias = resolveDatasets(query, ctx);
  const view = new CatalogueView(byAlias, ctx.requestedDatasets, ctx.contracts);
  const privacy = checkPrivacy(query, ctx.policy);
  const dp = privacy.mechanism !== 'none';

  const joins = planJoins(query, byAlias, view);
  const where = query.where.map((f, i) => planFilter(f, view.resolve(f.column, `query.where.${i}.column`), `query.where.${i}`));
  const groupBy = planGroups(query, view, ctx, joins);
  const measures = planMeasures(query, view, dp, joins, groupBy);
  if (dp && query.totals && measures.some((m) => m.fn === 'quantile')) {
    refuse('quantile_without_margins', 'query.totals', 'margins of a quantile cannot be derived from noisy cells: ask totals without quantiles');
  }

  return {
    version: 1,
    datasets: query.datasets.map((d) => ({ alias: d.as, datasetId: d.datasetId, kind: byAlias.get(d.as)!.kind })),
    where,
    groupBy,
    measures,
    joins,
    totals: query.totals,
    privacy,
    perturbation: dp ? null : { ...ctx.policy.perturbation },
    dominanceN: Math.max(1, ...ctx.policy.dominance.map((r) => r.n)),
  };
}

function resolveDatasets(query: ComputationQuery, ctx: PlanningContext): Map<string, CatalogueDataset> {
  const byAlias = new Map<string, CatalogueDataset>();
  const seenIds = new Set<string>();
  query.datasets.forEach((d, i) => {
    const field = `query.datasets.${i}`;
    if (byAlias.has(d.as)) refuse('duplicate_alias', `${field}.as`, 'each dataset needs its own alias');
    if (seenIds.has(d.datasetId)) refuse('duplicate_dataset', `${field}.datasetId`, 'a dataset appears once in a query');
    const entry = ctx.catalogue.find((c) => c.id === d.datasetId);
    if (!entry) refuse('unknown_dataset', `${field}.datasetId`, 'unknown dataset');
    if (!ctx.requestedDatasets.some((r) => r.datasetId === d.datasetId)) {
      refuse('dataset_not_in_use_case', `${field}.datasetId`, 'the dataset is not part of this use case');
    }
    if (!ctx.contracts.some((t) => t.datasets.some((g) => g.datasetId === d.datasetId))) {
      refuse('dataset_not_in_use_case', `${field}.datasetId`, 'no contract of the use case covers this dataset');
    }
    if (!entry.current) refuse('dataset_not_loaded', `${field}.datasetId`, 'the dataset has no data yet');
    byAlias.set(d.as, entry);
    seenIds.add(d.datasetId);
  });
  if (![...byAlias.values()].some((d) => d.kind === 'person')) {
    refuse('invalid_join', 'query.datasets', 'a computation needs at least one person-level dataset');
  }
  return byAlias;
}

function checkPrivacy(query: ComputationQuery, policy: EffectivePolicy): Plan['privacy'] {
  const asked = query.privacy;
  if (policy.privacy.mechanism !== asked.mechanism) {
    refuse('privacy_mechanism_mismatch', 'query.privacy.mechanism', `the contracts bind the privacy mechanism "${policy.privacy.mechanism}"`);
  }
  if (asked.mechanism === 'none') return { mechanism: 'none', epsilon: 0, delta: 0 };
  const epsilon = asked.epsilon!;
  if (epsilon > policy.privacy.maxEpsilonPerComputation) {
    refuse('epsilon_above_max', 'query.privacy.epsilon', `epsilon may not exceed ${policy.privacy.maxEpsilonPerComputation} per computation`);
  }
  const delta = asked.mechanism === 'gaussian' ? asked.delta! : 0;
  if (delta > policy.privacy.delta) refuse('delta_above_max', 'query.privacy.delta', `delta may not exceed ${policy.privacy.delta}`);
  return { mechanism: asked.mechanism, epsilon, delta, maxCellsPerPerson: policy.privacy.maxCellsPerPerson };
}

function planJoins(query: ComputationQuery, byAlias: Map<string, CatalogueDataset>, view: CatalogueView): PlannedJoin[] {
  const joined = new Set<string>();
  const joins = query.join.map((j, i) => {
    const field = `query.join.${i}`;
    const left = view.resolve(j.left, `${field}.left`);
    const right = view.resolve(j.right, `${field}.right`);
    if (left.dataset.kind !== 'person') refuse('invalid_join', `${field}.left`, 'the left side of a join is a column of a person-level dataset');
    if (right.dataset.kind !== 'reference' || right.column.role !== 'reference_key') {
      refuse('invalid_join', `${field}.right`, "the right side of a join is a reference dataset's reference_key");
    }
    if (joined.has(right.alias)) refuse('invalid_join', `${field}.right`, 'a reference dataset is joined once');
    joined.add(right.alias);
    return { left: left.ref, right: right.ref };
  });
  for (const [alias, d] of byAlias) {
    if (d.kind === 'reference' && !joined.has(alias)) refuse('invalid_join', 'query.join', `reference dataset "${alias}" must be joined to a person-level column`);
  }
  return joins;
}

function planFilter(f: ComputationQuery['where'][number], col: ResolvedColumn, field: string): PlannedFilter {
  const values: FilterScalar[] = Array.isArray(f.value) ? f.value : [f.value];
  const type = col.column.type;
  const ordered = type === 'integer' || type === 'number' || type === 'date';
  if (['lt', 'lte', 'gt', 'gte', 'between'].includes(f.op) && !ordered) {
    refuse('invalid_filter', `${field}.op`, `"${f.op}" needs a numeric or date column`);
  }
  const fits = (v: FilterScalar): boolean => {
    switch (type) {
      case 'integer': return typeof v === 'number' && Number.isSafeInteger(v);
      case 'number': return typeof v === 'number' && Number.isFinite(v);
      case 'boolean': return typeof v === 'boolean';
      case 'date': return typeof v === 'string' && DATE_PATTERN.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
      default: return typeof v === 'string';
    }
  };
  if (!values.every(fits)) refuse('invalid_filter', `${field}.value`, `the value does not fit the column's type (${type})`);
  if (f.op === 'between' && values[0] > values[1]) refuse('invalid_filter', `${field}.value`, 'between takes [low, high]');
  return { ref: col.ref, op: f.op, values };
}

function planGroups(query: ComputationQuery, view: CatalogueView, ctx: PlanningContext, joins: PlannedJoin[]): PlannedGroup[] {
  const maxCells = ctx.maxCells ?? DEFAULT_MAX_RESULT_CELLS;
  const resolved: ResolvedColumn[] = [];
  const groups = query.groupBy.map((g, i) => {
    const field = `query.groupBy.${i}`;
    const spelling = typeof g === 'string' ? g : g.column;
    const col = view.resolve(spelling, typeof g === 'string' ? field : `${field}.column`);
    if (resolved.some((r) => r.label === col.label)) refuse('duplicate_group_by', field, 'a column is grouped on once');
    resolved.push(col);
    const { type, role } = col.column;
    const joined = joins.some((j) => (j.left.datasetId === col.ref.datasetId && j.left.column === col.ref.column) || (j.right.datasetId === col.ref.datasetId && j.right.column === col.ref.column));
    if (typeof g !== 'string') {
      if (type !== 'integer' && type !== 'number') refuse('column_not_groupable', field, 'bins need a numeric column');
    } else if (type === 'text' && role !== 'reference_key' && !joined) {
      refuse('column_not_groupable', field, 'free text is not groupable: only categories and reference keys are');
    } else if ((type === 'date' || type === 'number') && !joined) {
      refuse('column_not_groupable', field, `a ${type} column is grouped only through bins`);
    }
    return { label: col.label, ref: col.ref, ...groupDomain(col, typeof g === 'string' ? undefined : g.bins, joins, field, maxCells) };
  });
  const hit = forbiddenGroupByHit(resolved, ctx.policy.forbiddenGroupBy);
  if (hit) refuse('forbidden_group_by', 'query.groupBy', `the ethics decision forbids grouping on ${hit.join(' + ')}`);
  if (resultRowCount(groups, query.totals, ctx.catalogue) > maxCells) {
    refuse('too_many_cells', 'query.groupBy', `the declared domain has more than ${maxCells} cells (margins included)`);
  }
  return groups;
}

function planMeasures(query: ComputationQuery, view: CatalogueView, dp: boolean, joins: PlannedJoin[], groups: PlannedGroup[]): PlannedMeasure[] {
  const labels = new Set<string>();
  const summable = (spelling: string, field: string, fn: string) => {
    const col = view.resolve(spelling, field);
    const { type, role, min, max } = col.column;
    if ((type !== 'integer' && type !== 'number') || role === 'reference_key') refuse('measure_not_numeric', field, `${fn} needs a numeric column`);
    if (min === undefined || max === undefined || !(min < max)) refuse('sum_requires_bounds', field, `${fn} needs a column with declared bounds`);
    return col;
  };
  return query.measures.map((m, i) => {
    const field = `query.measures.${i}`;
    const fn = m.fn;
    let measure: PlannedMeasure;
    switch (fn) {
      case 'count':
        measure = { label: 'count', fn };
        break;
      case 'sum':
      case 'mean': {
        const col = summable(m.column!, `${field}.column`, fn);
        if (fn === 'mean' && m.per === 'row') {
          if (dp) refuse('mean_per_row_without_dp', `${field}.per`, 'a mean per row is released only without differential privacy (rows per person are unbounded)');
          measure = { label: `meanPerRow(${col.label})`, fn: 'meanPerRow', ref: col.ref };
        } else {
          measure = { label: `${fn}(${col.label})`, fn, ref: col.ref };
        }
        break;
      }
      case 'quantile': {
        const col = summable(m.column!, `${field}.column`, fn);
        if (!dp) refuse('quantile_requires_dp', `${field}.fn`, 'quantiles are released only under differential privacy');
        measure = { label: `quantile(${col.label},${m.q})`, fn, ref: col.ref, q: m.q };
        break;
      }
      case 'rate':
        measure = planRate(m, field, view, joins, groups, summable);
        break;
      default:
        return assertNever(fn);
    }
    if (labels.has(measure.label)) refuse('duplicate_measure', field, 'each measure is asked once');
    labels.add(measure.label);
    return measure;
  });
}

/**
 * A rate: the cell's count (or sum) over a numeric column of a joined reference dataset,
 * times a scale. Its grain may not be finer than the reference key's — at most one
 * group-by, on the joined key itself — so a denominator is never applied to part of its
 * population. Margins and the total use the whole reference's sum.
 */
function planRate(
  m: ComputationQuery['measures'][number],
  field: string,
  view: CatalogueView,
  joins: PlannedJoin[],
  groups: PlannedGroup[],
  summable: (spelling: string, field: string, fn: string) => ResolvedColumn,
): PlannedMeasure {
  const per = view.resolve(m.per!, `${field}.per`);
  if (per.dataset.kind !== 'reference' || (per.column.type !== 'integer' && per.column.type !== 'number')) {
    refuse('invalid_rate', `${field}.per`, 'per is a numeric column of a joined reference dataset');
  }
  const join = joins.find((j) => j.right.datasetId === per.ref.datasetId);
  if (!join) refuse('invalid_rate', `${field}.per`, 'the reference dataset of per must be joined');
  const same = (a: ColumnRef, b: ColumnRef) => a.datasetId === b.datasetId && a.column === b.column;
  const onKey = groups.map((g, i) => (same(g.ref, join.left) || same(g.ref, join.right) ? i : -1));
  if (groups.length > 1 || onKey.some((i) => i < 0)) {
    refuse('rate_grain_too_fine', 'query.groupBy', "a rate's cells may not be finer than its reference key: group by the joined key alone, or not at all");
  }
  const of = m.of === 'count' ? 'count' : 'sum';
  const col = of === 'sum' ? summable((m.of as { sum: string }).sum, `${field}.of.sum`, 'rate') : null;
  const scale = m.scale ?? 1;
  const numerator = col ? `sum(${col.label})` : 'count';
  return {
    label: `rate(${numerator}/${per.label}*${scale})`,
    fn: 'rate',
    ...(col ? { ref: col.ref } : {}),
    rate: { of, per: per.ref, scale, key: join.right, groupIndex: onKey.length ? onKey[0] : -1 },
  };
}
