import { createHmac } from 'node:crypto';
import type { CatalogueDataset } from '../policy/policy';
import type { ColumnRef, Plan } from '../planning/plan';
import { PlanRelation } from './relation';
import { quoteIdent, SqlParams, vaultTable } from './sql-text';
import { assertNever, needsRowCount } from '../planning/measures';

/** Numbers of a `number` column are released at 0.01 resolution: integer-scaled sums under DP. */
export const DP_NUMBER_SCALE = 100;
/** The quantile's candidate outputs: at most this many steps over the declared [min, max]. */
export const QUANTILE_STEPS = 100;

export interface CompiledStatement {
  sql: string;
  params: unknown[];
}

/**
 * The aggregate query of a plan and what its columns mean:
 * - `g` the GROUPING() bitmask (1 bits: keys rolled up into a margin), `k0…` the keys,
 *   `n` the distinct persons;
 * - per summed column j: without DP `s{j}` the sum, `c{j}` the non-null contributors,
 *   `a{j}` the sum of absolute values and `t{j}` the n largest absolute contributions
 *   (dominance); under DP `s{j}` the integer-scaled clamped sum as text;
 * - under DP, one histogram statement per quantile.
 */
export interface CompiledAggregate extends CompiledStatement {
  dp: boolean;
  /** The aggregate answers `nr`, the rows of each cell (a mean per row; without DP only). */
  rowCounted: boolean;
  /** The per-person step was skipped: one joined row per person was known (CompileOptions). */
  onePersonPerRow: boolean;
  summed: { ref: ColumnRef; scale: number; min: number; max: number }[];
  quantiles: { measureIndex: number; ref: ColumnRef; min: number; max: number; steps: number; statement: CompiledStatement }[];
  /** Rule 3 applies: the aggregate answers `ck`, each cell's key as an integer in [0, 2^32). */
  perturbed: boolean;
  /** One statement per group whose domain is a reference dataset's keys (public open data). */
  referenceKeys: { groupIndex: number; statement: CompiledStatement }[];
  /** One statement per rate: the denominator per reference key, and the whole reference's (key NULL). Public open data. */
  denominators: { measureIndex: number; statement: CompiledStatement }[];
}

/** Whether a measure needs the per-cell sum of its column (the measure registry's SQL side). */
export function measureSums(m: Plan['measures'][number]): boolean {
  const fn = m.fn;
  switch (fn) {
    case 'sum':
    case 'mean':
    case 'meanPerRow':
      return true;
    case 'rate':
      return m.rate?.of === 'sum';
    case 'count':
    case 'quantile':
      return false;
    default:
      return assertNever(fn);
  }
}

/**
 * What the compiler may assume about the joined rows. `onePersonPerRow`: every dataset the
 * plan joins has a unique join key (linkage keys of its person-level datasets, reference
 * keys of its reference joins), as recorded for the current versions — so every person has
 * at most one joined row and the per-person step is the identity. Never a guess: only set
 * it from a uniqueness check of those exact versions (see `person-rows.ts`).
 */
export interface CompileOptions {
  onePersonPerRow?: boolean;
  /**
   * The server secret record keys derive from (CADRE_RECORD_KEY_SECRET): bound as a
   * parameter, never logged. Required when the plan is perturbed.
   */
  recordKeySecret?: string;
}

/** Cell keys are sums of 32-bit record keys modulo 2^32: the cell key in [0,1) is ck / 2^32. */
export const CELL_KEY_MODULUS = 4294967296;

/**
 * A person's record key (rule 3): the high 32 bits of PostgreSQL's seeded 64-bit hash of the
 * pseudonym, the seed derived from the server secret (`recordKeySeed`), as a signed integer
 * (sum(integer) is a bigint: cheaper than numeric). The pseudonym is already a keyed
 * HMAC, uniform and never exposed, so the hash needs no cryptographic strength of its own:
 * the seed keeps record keys apart from pseudonyms. The same person has the same key in
 * every dataset, version and use case; the key never leaves SQL — only the cell's sum
 * modulo 2^32 does. Measured on 1M pseudonyms: ~0.1 s of extra aggregation time, against
 * ~0.8 s for md5(secret ‖ pseudonym).
 */
export function recordKeyExpression(pid: string, seedParam: string): string {
  return `(hashtextextended(${pid}, ${seedParam}) >> 32)::integer`;
}

/** A 64-bit seed derived from the secret for one purpose (HMAC-SHA-256 of the label, first 8 bytes, signed), as text for a bigint parameter. */
function derivedSeed(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest().readBigInt64BE(0).toString();
}

/** The 64-bit seed of record keys: the secret itself never reaches the database. */
export function recordKeySeed(secret: string): string {
  return derivedSeed(secret, 'cadre.record-key.v1');
}

/** The 64-bit seed that ranks a person's cells under DP (issue 13's bound L), apart from record keys. */
export function cellRankSeed(secret: string): string {
  return derivedSeed(secret, 'cadre.dp-cell-rank.v1');
}

/** The cell key of a group: the sum of its persons' record keys modulo 2^32, in [0, 2^32). */
export const CELL_KEY_AGGREGATE = `(((sum(rk) % ${CELL_KEY_MODULUS}) + ${CELL_KEY_MODULUS}) % ${CELL_KEY_MODULUS})::bigint AS ck`;

/**
 * How a person contributes. Without DP (issue 13), a person counts in every cell they have
 * at least one row in, and once in a margin (distinct persons over the union of its cells);
 * their contribution to a cell's sum is the total of all their rows in it (several
 * contracts of one supplier, several stays of one patient), so dominance and the cell key
 * compare persons, not rows. Counts are distinct persons and no longer additive: a margin
 * is at most the sum of its cells. Under DP a person counts in at most L cells (the plan's
 * maxCellsPerPerson, default 1; which ones: a keyed hash of pseudonym and cell, never the
 * values) and each person's total in a cell is clamped to the declared bounds:
 * sensitivities L (count) and L × max(|min|,|max|) (sum).
 * With one joined row per person, that row is the person: same meaning, no per-person
 * grouping (which costs a sort of every row on the pseudonym).
 */
function personRelation(
  plan: Plan,
  rel: PlanRelation,
  params: SqlParams,
  summed: CompiledAggregate['summed'],
  quantiles: { ref: ColumnRef; min: number; max: number; steps: number }[],
  dp: boolean,
  onePersonPerRow: boolean,
  secretParam: string | null = null,
  rowCounted = false,
  boundParams: { seed: string; cells: string } | null = null,
): string {
  const keys = plan.groupBy.map((_, i) => `k${i}`);
  const rowKeys = plan.groupBy.map((g, i) => `${rel.groupKey(g)} AS k${i}`);
  const rowBuckets = quantiles.map((q, j) => {
    const col = `(${rel.ref(q.ref)})::double precision`;
    const lo = params.add(q.min, 'double precision');
    const hi = params.add(q.max, 'double precision');
    return `width_bucket(LEAST(GREATEST(${col}, ${lo}), ${hi}), ${lo}, ${hi}, ${params.add(q.steps, 'integer')}) - 1 AS b${j}`;
  });
  const personValue = (total: string, s: CompiledAggregate['summed'][number]) => {
    if (!dp) return total;
    const clamped = `LEAST(GREATEST(COALESCE(${total}, 0), ${params.add(s.min, 'double precision')}), ${params.add(s.max, 'double precision')})`;
    return `round(${clamped} * ${params.add(s.scale, 'integer')})::bigint`;
  };
  if (onePersonPerRow) {
    const values = summed.map((s, j) => `${personValue(`(${rel.ref(s.ref)})::double precision`, s)} AS v${j}`);
    const rk = secretParam ? [`${recordKeyExpression(rel.personId, secretParam)} AS rk`] : [];
    const select = [...rowKeys, ...values, ...rowBuckets, ...rk];
    // A plan without keys, sums or quantiles still needs a column to count rows of.
    return `SELECT ${select.length ? select.join(', ') : '1 AS one'} ${rel.from()} WHERE ${rel.conditions().join(' AND ')}`;
  }
  const rowValues = summed.map((s, j) => `(${rel.ref(s.ref)})::double precision AS r${j}`);
  // The pseudonym sorts bytewise: a cheaper sort, and the order of persons means nothing.
  const rows = `SELECT ${[`${rel.personId} COLLATE "C" AS pid`, ...rowKeys, ...rowValues, ...rowBuckets].join(', ')} ${rel.from()} WHERE ${rel.conditions().join(' AND ')}`;
  // One line per (person, cell): the person's total in that cell.
  const rowCount = rowCounted ? ['count(*) AS rn'] : [];
  const perCell = `SELECT ${['pid', ...keys, ...rowCount, ...summed.map((_, j) => `sum(r${j}) AS r${j}`), ...quantiles.map((_, j) => `min(b${j}) AS b${j}`)].join(', ')} FROM (${rows}) AS row_level GROUP BY ${['pid', ...keys].join(', ')}`;
  const rk = secretParam ? [`${recordKeyExpression('pid', secretParam)} AS rk`] : [];
  if (!dp) {
    // Exact path (issue 13): a person counts in every cell they have a row in, and in each
    // margin once (distinct persons over the union of its cells): one line per (person,
    // cell or margin), with the person's total there — grouping sets over the per-cell lines.
    const sets = plan.totals && keys.length ? `pid, CUBE (${keys.join(', ')})` : ['pid', ...keys].join(', ');
    const grouping = plan.totals && keys.length ? `GROUPING(${keys.join(', ')})` : '0';
    const totals = summed.map((_, j) => `sum(r${j}) AS v${j}`);
    const rows = rowCounted ? ['sum(rn) AS rn'] : [];
    return `SELECT ${[`${grouping}::integer AS g`, 'pid', ...keys, ...rows, ...totals, ...rk].join(', ')} FROM (${perCell}) AS per_cell GROUP BY ${sets}`;
  }
  // Under DP (issue 13): a person keeps at most L of their cells, chosen by a keyed hash of
  // (pseudonym, cell) — a rule the values cannot steer, and one an analyst cannot predict
  // (the secret) — and drops the rest; `bounded` marks one line of each person who had more.
  const values = summed.map((s, j) => `${personValue(`r${j}`, s)} AS v${j}`);
  const select = ['pid', ...keys, ...values, ...quantiles.map((_, j) => `b${j}`), ...rk, `(cell_rank = 1 AND cells > ${boundParams!.cells}) AS bounded`];
  const cellText = keys.length ? `json_build_array(${keys.join(', ')})::text` : `''`;
  // The cell text breaks the (2^-64) ties of the seeded hash, so the choice is deterministic.
  const ranked = `SELECT per_cell.*, row_number() OVER (PARTITION BY pid ORDER BY hashtextextended(pid || ${cellText}, ${boundParams!.seed}), ${cellText}) AS cell_rank, count(*) OVER (PARTITION BY pid) AS cells FROM (${perCell}) AS per_cell`;
  return `SELECT ${select.join(', ')} FROM (${ranked}) AS ranked WHERE cell_rank <= ${boundParams!.cells}`;
}

/**
 * The n largest absolute per-person contributions of a cell, descending (NULL when no
 * person has a value). For n = 1, the usual policy, a plain max: an ORDER BY inside an
 * aggregate forbids hash aggregation and sorts every person. `magnitude` is |v|, or v
 * itself when the column's declared domain has no negative value.
 */
function topContributions(v: string, magnitude: string, n: number, params: SqlParams): string {
  if (n === 1) return `CASE WHEN count(${v}) > 0 THEN ARRAY[max(${magnitude})] END::double precision[]`;
  return `(array_agg(${magnitude} ORDER BY ${magnitude} DESC) FILTER (WHERE ${v} IS NOT NULL))[1:${params.add(n, 'integer')}]::double precision[]`;
}

/**
 * Rows of persons are inlined into the aggregate (parallel partial hash aggregation, as a
 * hand-written GROUP BY gets); grouped persons are materialised, which keeps the planner
 * from sorting a million of them again for the cells (measured: hash aggregation instead).
 */
function personCte(onePersonPerRow: boolean): string {
  return onePersonPerRow ? 'person AS NOT MATERIALIZED' : 'person AS MATERIALIZED';
}

/** L under DP: the most cells a person contributes to (plans stored before issue 13 have none: 1). */
export function maxCellsPerPerson(plan: Plan): number {
  return plan.privacy.maxCellsPerPerson ?? 1;
}

/** Compiles a validated plan into parameterised SQL over the catalogue's vault tables. */
export function compileAggregate(plan: Plan, catalogue: CatalogueDataset[], options: CompileOptions = {}): CompiledAggregate {
  const onePersonPerRow = options.onePersonPerRow === true;
  const dp = plan.privacy.mechanism !== 'none';
  const params = new SqlParams();
  const rel = new PlanRelation(plan, catalogue, params);
  const summedRefs: ColumnRef[] = [];
  for (const m of plan.measures) {
    if (measureSums(m) && !summedRefs.some((r) => r.datasetId === m.ref!.datasetId && r.column === m.ref!.column)) summedRefs.push(m.ref!);
  }
  const summed = summedRefs.map((ref) => {
    const col = rel.column(ref);
    return { ref, scale: col.type === 'integer' ? 1 : DP_NUMBER_SCALE, min: col.min!, max: col.max! };
  });
  const keys = plan.groupBy.map((_, i) => `k${i}`);
  const perturbed = !dp && plan.perturbation !== null && plan.perturbation !== undefined;
  if (perturbed && !options.recordKeySecret) throw new Error('a perturbed plan needs the record key secret');
  const secretParam = perturbed ? params.add(recordKeySeed(options.recordKeySecret!), 'bigint') : null;
  const rowCounted = !dp && needsRowCount(plan.measures);
  const bound = (p: SqlParams) => {
    if (!dp || onePersonPerRow) return null; // one joined row per person: one cell per person already
    if (!options.recordKeySecret) throw new Error('a plan under differential privacy needs the record key secret');
    return { seed: p.add(cellRankSeed(options.recordKeySecret), 'bigint'), cells: p.add(maxCellsPerPerson(plan), 'integer') };
  };
  const person = personRelation(plan, rel, params, summed, [], dp, onePersonPerRow, secretParam, rowCounted, bound(params));

  let select: string;
  if (!dp) {
    const aggregates = summed.map((s, j) => {
      // Ingestion admits no value under the declared minimum: with min ≥ 0 every total is its
      // own magnitude, and PostgreSQL computes the identical sum(v) of s and a only once.
      const magnitude = s.min >= 0 ? `v${j}` : `abs(v${j})`;
      return [
        `sum(v${j})::double precision AS s${j}`,
        `count(v${j})::integer AS c${j}`,
        `sum(${magnitude})::double precision AS a${j}`,
        `${topContributions(`v${j}`, magnitude, plan.dominanceN, params)} AS t${j}`,
      ].join(', ');
    });
    const cellKey = perturbed ? [CELL_KEY_AGGREGATE] : [];
    if (onePersonPerRow) {
      // One row per person: persons are disjoint across cells, CUBE rolls the margins up.
      const grouping = keys.length === 0 ? '0' : `GROUPING(${keys.join(', ')})`;
      const groupBy = keys.length === 0 ? '' : plan.totals ? ` GROUP BY CUBE (${keys.join(', ')})` : ` GROUP BY ${keys.join(', ')}`;
      // One row per person: the rows of a cell are its persons.
      const rows = rowCounted ? ['count(*)::bigint AS nr'] : [];
      select = `SELECT ${[`${grouping}::integer AS g`, ...keys, 'count(*)::integer AS n', ...rows, ...cellKey, ...aggregates].join(', ')} FROM person${groupBy}`;
    } else {
      // One line per (person, cell or margin) already: count the lines of each.
      const rows = rowCounted ? ['sum(rn)::bigint AS nr'] : [];
      select = `SELECT ${['g', ...keys, 'count(*)::integer AS n', ...rows, ...cellKey, ...aggregates].join(', ')} FROM person GROUP BY ${['g', ...keys].join(', ')}`;
    }
  } else {
    // Only cells holding persons: the declared domain is laid over them in the worker (domain.ts).
    const aggregates = summed.map((_, j) => `sum(v${j})::text AS s${j}`);
    const bounded = onePersonPerRow ? '0 AS bp' : 'count(*) FILTER (WHERE bounded)::integer AS bp';
    select = `SELECT ${['0 AS g', ...keys, 'count(*)::integer AS n', bounded, ...aggregates].join(', ')} FROM person${keys.length ? ` GROUP BY ${keys.join(', ')}` : ''}`;
  }

  const quantiles = !dp
    ? []
    : plan.measures.flatMap((m, measureIndex) => {
        if (m.fn !== 'quantile') return [];
        const col = rel.column(m.ref!);
        const span = col.max! - col.min!;
        const spec = { ref: m.ref!, min: col.min!, max: col.max!, steps: col.type === 'integer' && span <= QUANTILE_STEPS ? span : QUANTILE_STEPS };
        const qParams = new SqlParams();
        const qPerson = personRelation(plan, new PlanRelation(plan, catalogue, qParams), qParams, [], [spec], dp, onePersonPerRow, null, false, bound(qParams));
        const sql = `WITH ${personCte(onePersonPerRow)} (${qPerson}) SELECT ${[...keys, 'b0 AS b', 'count(*)::integer AS n'].join(', ')} FROM person WHERE b0 IS NOT NULL GROUP BY ${[...keys, 'b0'].join(', ')}`;
        return [{ measureIndex, ...spec, statement: { sql, params: qParams.values } }];
      });
  const referenceKeys = plan.groupBy.flatMap((g, groupIndex) => {
    if (!g.reference) return [];
    const table = catalogue.find((c) => c.id === g.reference!.datasetId)?.current?.table;
    if (!table) throw new Error('the catalogue lacks a dataset of the plan');
    const sql = `SELECT DISTINCT (${quoteIdent(g.reference.column)})::text AS k FROM ${vaultTable(table)} WHERE ${quoteIdent(g.reference.column)} IS NOT NULL`;
    return [{ groupIndex, statement: { sql, params: [] } }];
  });
  // A rate's denominators: the reference column summed per key, and over the whole reference (k NULL).
  const denominators = plan.measures.flatMap((m, measureIndex) => {
    if (!m.rate) return [];
    const table = catalogue.find((c) => c.id === m.rate!.per.datasetId)?.current?.table;
    if (!table) throw new Error('the catalogue lacks a dataset of the plan');
    rel.column(m.rate.per);
    const key = `(${quoteIdent(m.rate.key.column)})::text`;
    const sql = `SELECT ${key} AS k, sum((${quoteIdent(m.rate.per.column)})::double precision)::double precision AS p FROM ${vaultTable(table)} GROUP BY ROLLUP (${key})`;
    return [{ measureIndex, statement: { sql, params: [] } }];
  });
  return { sql: `WITH ${personCte(onePersonPerRow)} (${person}) ${select}`, params: params.values, dp, rowCounted, onePersonPerRow, perturbed, summed, quantiles, referenceKeys, denominators };
}
