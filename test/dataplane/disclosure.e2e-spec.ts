import canonicalize from 'canonicalize';
import { compactVerify, createLocalJWKSet, JSONWebKeySet } from 'jose';
import {
  COMMUNE_CODES,
  DOMINATED,
  DOMINANT_ICU_DAYS,
  EMPTY,
  ExpectedCell,
  generateWorld,
  INCOME_BANDS,
  JUST_AT,
  JUST_UNDER,
  LinkedPerson,
  MIN_CELL,
  NOT_IN_REFERENCE,
  primaryReason,
  recomputableCells,
  roundToBase,
  SPARSE_HIGH,
  tabulate,
  TINY,
} from '../support/dataplane-data';
import { activeDataplaneUseCase, buildFederation, datasetsOf, Federation, Json, REFERENCE_JOIN, runComputation } from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

/** Dominance as the contracts carry it: the platform default of API.md (n = 1, k = 85 %), untouched by these use cases. */
const DOMINANCE = { n: 1, k: 85 };
/** The rounding base the committee imposes on the rounding use case. */
const ROUNDING = 5;
/** Communes of at least this reference population are kept by the linked aggregate's filter. */
const POPULATION_FLOOR = 2000;

const key = (...parts: string[]) => parts.join('|');

/**
 * Disclosure control end to end: a generated world of ~3,000 patients crossed with a
 * social body's income bands and an open reference table, every expected number computed
 * here from the generated rows, every threshold taken from the policy the committee set.
 */
describe('data plane: linked aggregates and disclosure control', () => {
  const data = generateWorld();
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), data);
    useCase = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL } });
  });
  afterAll(() => platform?.close());

  /** A cell of the declared domain nobody is in. */
  const EMPTY_CELL: ExpectedCell = { persons: 0, icuSum: 0, icu: [] };
  /** The platform's perturbation (API.md rule 3), which these use cases do not tighten. */
  const D = 2;

  /**
   * A released row against the independent tabulation: suppressed exactly when rules 1–2
   * say so; otherwise within the cell key method's bounds — count within D of the truth and
   * never below the minimum, sum within D × the cell's largest contribution, mean = sum / count
   * — then rounded (rule 5) to the base.
   */
  function expectCell(row: Json, cell: ExpectedCell | undefined, minCellSize: number, measures: { sum?: boolean; mean?: boolean; rounding?: number } = {}) {
    const truth = cell ?? EMPTY_CELL;
    const reason = primaryReason(truth, minCellSize, measures.sum || measures.mean ? DOMINANCE : undefined);
    if (reason) {
      expect({ suppressed: row.suppressed, reason: row.reason, count: row.count }).toEqual({ suppressed: true, reason, count: null });
      if (measures.sum) expect(row['sum(h.icuDays)']).toBeNull();
      if (measures.mean) expect(row['mean(h.icuDays)']).toBeNull();
      return;
    }
    const base = measures.rounding ?? 0;
    const slack = base / 2;
    expect(row.suppressed).toBe(false);
    expect(row.count).toBeGreaterThanOrEqual(roundToBase(Math.max(minCellSize, truth.persons - D), base) - 1e-9);
    expect(row.count).toBeLessThanOrEqual(truth.persons + D + slack);
    const largest = Math.max(0, ...truth.icu);
    if (measures.sum) expect(Math.abs(row['sum(h.icuDays)'] - truth.icuSum)).toBeLessThanOrEqual(D * largest + slack);
    if (measures.mean) {
      expect(Math.abs(row['mean(h.icuDays)'] * row.count - row['sum(h.icuDays)'])).toBeLessThanOrEqual(row.count * 0.005 + 1e-9);
    }
  }

  let linkedAggregate: Json;

  it('releases hospital ⋈ social ⋈ communes by commune × income band equal to the hand count, suppressed exactly below the minimum cell size', async () => {
    linkedAggregate = await runComputation(fed, useCase.id, {
      datasets: datasetsOf(fed, true),
      join: REFERENCE_JOIN,
      where: [{ column: 'r.population', op: 'gte', value: POPULATION_FLOOR }],
      groupBy: ['h.commune', 's.incomeBand'],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }],
    });
    expect(linkedAggregate.status).toBe('released');
    const kept = (p: LinkedPerson) => p.population !== null && p.population >= POPULATION_FLOOR;
    const expected = tabulate(data.linked.filter(kept), (p) => key(p.commune, p.incomeBand));
    // The world gives this query work on both sides of the threshold, and a dominated cell.
    const reasons = [...expected.values()].map((c) => primaryReason(c, MIN_CELL, DOMINANCE));
    expect(reasons).toContain('min_cell_size');
    expect(reasons).toContain('dominance');
    expect(reasons).toContain(null);

    const result = linkedAggregate.result;
    expect(result.columns).toEqual(['h.commune', 's.incomeBand', 'count', 'sum(h.icuDays)', 'mean(h.icuDays)']);
    // Rule 0: every declared commune × every band, in the declared order, whatever the data hold.
    expect(result.rows.map((r: Json) => key(r['h.commune'], r['s.incomeBand']))).toEqual(
      [...COMMUNE_CODES].sort().flatMap((c) => [...INCOME_BANDS].sort().map((b) => key(c, b))),
    );
    for (const row of result.rows) expectCell(row, expected.get(key(row['h.commune'], row['s.incomeBand'])), MIN_CELL, { sum: true, mean: true });
    const domainReasons = result.rows.map((r: Json) => primaryReason(expected.get(key(r['h.commune'], r['s.incomeBand'])) ?? EMPTY_CELL, MIN_CELL, DOMINANCE));
    expect(result.disclosure).toMatchObject({
      minCellSize: MIN_CELL,
      primarySuppressed: domainReasons.filter((r: string | null) => r !== null).length,
      rounding: 0,
      perturbation: { method: 'cell_key', maxDeviation: D, variance: 1 },
    });
    expect(result.datasetVersions).toEqual(datasetsOf(fed, true).map((d) => ({ datasetId: d.datasetId, version: 1 })));
    // The commune the open table lacks, and those the filter drops, are rows like any suppressed one.
    for (const dropped of [NOT_IN_REFERENCE, TINY, EMPTY]) {
      for (const r of result.rows.filter((x: Json) => x['h.commune'] === dropped)) expect(r).toMatchObject({ suppressed: true, reason: 'min_cell_size', count: null });
    }
    // The threshold is tight: a cell of minCellSize − 1 persons is suppressed, one of minCellSize is not.
    expect(expected.get(key(JUST_UNDER, 'high'))!.persons).toBe(MIN_CELL - 1);
    expect(expected.get(key(JUST_AT, 'low'))!.persons).toBe(MIN_CELL);
    const row = (commune: string, band: string) => result.rows.find((r: Json) => r['h.commune'] === commune && r['s.incomeBand'] === band);
    expect(row(JUST_UNDER, 'high')).toMatchObject({ suppressed: true, reason: 'min_cell_size', count: null });
    expect(row(JUST_AT, 'low')).toMatchObject({ suppressed: false });
    // At the threshold the p-table only perturbs upward: never a released count under the minimum.
    expect(row(JUST_AT, 'low').count).toBeGreaterThanOrEqual(MIN_CELL);
    expect(row(JUST_AT, 'low').count).toBeLessThanOrEqual(MIN_CELL + D);
  });

  it('suppresses a cell dominated by one person (reason dominance) while releasing the cells beside it', async () => {
    const c = await runComputation(fed, useCase.id, {
      datasets: datasetsOf(fed),
      groupBy: ['h.commune'],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    });
    expect(c.status).toBe('released');
    const expected = tabulate(data.linked, (p) => p.commune);
    const dominated = expected.get(DOMINATED)!;
    // Large enough to pass rule 1, so only rule 2 can suppress it.
    expect(dominated.persons).toBeGreaterThanOrEqual(MIN_CELL);
    expect(Math.max(...dominated.icu)).toBe(DOMINANT_ICU_DAYS);
    const row = c.result.rows.find((r: Json) => r['h.commune'] === DOMINATED);
    expect(row).toEqual({ 'h.commune': DOMINATED, count: null, 'sum(h.icuDays)': null, suppressed: true, reason: 'dominance' });
    expect(c.result.rows.map((r: Json) => r['h.commune'])).toEqual([...COMMUNE_CODES].sort());
    for (const r of c.result.rows) expectCell(r, expected.get(r['h.commune']), MIN_CELL, { sum: true });
    // The released values: the signature and the audit head are hashes, where any digits may appear.
    expect(JSON.stringify(c.result.rows)).not.toContain(String(dominated.icuSum));
  });

  it('with totals, adds secondary suppression so that no line has a single suppressed cell and no suppressed value can be recomputed', async () => {
    const c = await runComputation(fed, useCase.id, {
      datasets: datasetsOf(fed),
      groupBy: ['h.commune', 's.incomeBand'],
      measures: [{ fn: 'count' }],
      totals: true,
    });
    expect(c.status).toBe('released');
    const expected = new Map<string, ExpectedCell>();
    for (const [k, cell] of [
      ...tabulate(data.linked, (p) => key(p.commune, p.incomeBand)),
      ...tabulate(data.linked, (p) => key(p.commune, '*')),
      ...tabulate(data.linked, (p) => key('*', p.incomeBand)),
      ...tabulate(data.linked, () => key('*', '*')),
    ]) expected.set(k, cell);
    const rows: Json[] = c.result.rows;
    expect(rows).toHaveLength((COMMUNE_CODES.length + 1) * (INCOME_BANDS.length + 1));
    const byKey = new Map(rows.map((r) => [key(r['h.commune'], r['s.incomeBand']), r]));
    for (const [k, row] of byKey) {
      const cell = expected.get(k) ?? EMPTY_CELL;
      const reason = primaryReason(cell, MIN_CELL);
      if (reason) expect({ k, reason: row.reason }).toEqual({ k, reason });
      else if (row.suppressed) expect({ k, reason: row.reason, count: row.count }).toEqual({ k, reason: 'secondary', count: null });
      else expectCell(row, cell, MIN_CELL); // margins are cells like any other: perturbed within the same bounds
    }
    // The sparse 'high' cell of a large commune is alone in its line: rule 3 must act.
    expect(primaryReason(expected.get(key(SPARSE_HIGH, 'high'))!, MIN_CELL)).toBe('min_cell_size');
    const secondary = rows.filter((r) => r.reason === 'secondary');
    expect(secondary.length).toBeGreaterThan(0);
    expect(c.result.disclosure.secondarySuppressed).toBe(secondary.length);

    // Lines: every commune across the bands and its margin, every band across the communes and its margin.
    const communes = [...new Set(rows.map((r) => r['h.commune']))];
    const bands = [...new Set(rows.map((r) => r['s.incomeBand']))];
    const present = (k: string) => byKey.has(k);
    const lines = [
      ...communes.map((cm) => ({ cells: bands.map((b) => key(cm, b)).filter(present), margin: key(cm, '*') })),
      ...bands.map((b) => ({ cells: communes.map((cm) => key(cm, b)).filter(present), margin: key('*', b) })),
    ];
    const suppressed = new Set(rows.filter((r) => r.suppressed).map((r) => key(r['h.commune'], r['s.incomeBand'])));
    for (const line of lines) {
      expect(line.cells).toContain(line.margin);
      const n = line.cells.filter((k) => suppressed.has(k)).length;
      expect({ line: line.cells, n: n === 1 ? 1 : 'ok' }).toEqual({ line: line.cells, n: 'ok' });
    }
    expect(recomputableCells(lines, suppressed)).toEqual([]);
  });

  it('signs the released result: the JWS verifies with the public JWKS alone and its payload is the result', async () => {
    const jwks = (await platform.http().get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;
    const { signature, ...result } = linkedAggregate.result;
    const { payload } = await compactVerify(signature, createLocalJWKSet(jwks));
    const signed = JSON.parse(new TextDecoder().decode(payload));
    expect(signed).toEqual({ type: 'cadre.computation_result', computationId: linkedAggregate.id, useCaseId: useCase.id, ...result });
    expect(new TextDecoder().decode(payload)).toBe(canonicalize(signed));
    // A result edited after signing does not verify.
    const [header, , sig] = signature.split('.');
    const forged = { ...signed, rows: signed.rows.map((r: Json) => (r.suppressed ? { ...r, count: 3 } : r)) };
    const tampered = `${header}.${Buffer.from(canonicalize(forged) as string).toString('base64url')}.${sig}`;
    await expect(compactVerify(tampered, createLocalJWKSet(jwks))).rejects.toThrow();
  });

  it('rounds counts and sums to the multiple the committee sets', async () => {
    const rounded = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL, rounding: ROUNDING }, withoutReference: true });
    const c = await runComputation(fed, rounded.id, {
      datasets: datasetsOf(fed),
      groupBy: ['h.commune'],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    });
    expect(c.status).toBe('released');
    expect(c.result.disclosure.rounding).toBe(ROUNDING);
    const expected = tabulate(data.linked, (p) => p.commune);
    const released = c.result.rows.filter((r: Json) => !r.suppressed);
    expect(released.length).toBeGreaterThan(3);
    // Rounding comes after perturbation (rule 5).
    for (const row of c.result.rows) expectCell(row, expected.get(row['h.commune']), MIN_CELL, { sum: true, rounding: ROUNDING });
    for (const row of released) {
      expect(row.count % ROUNDING).toBe(0);
      expect(row['sum(h.icuDays)'] % ROUNDING).toBe(0);
    }
    // Rounding does something here: some true count is not already a multiple.
    expect(released.some((r: Json) => expected.get(r['h.commune'])!.persons % ROUNDING !== 0)).toBe(true);
  });

  it('rejects (differencing_risk) a population 1 to minCellSize − 1 persons away from an earlier one, and only those', async () => {
    const uc = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL }, withoutReference: true });
    const all = [...new Set(data.hospital.map((p) => p.commune))];
    const steps: { name: string; communes: string[] }[] = [
      { name: 'everyone', communes: all },
      { name: 'without the tiny commune', communes: all.filter((c) => c !== TINY) },
      { name: 'without a commune of minCellSize − 1', communes: all.filter((c) => c !== JUST_UNDER) },
      { name: 'without a commune of minCellSize', communes: all.filter((c) => c !== JUST_AT) },
      { name: 'without two communes, near the previous one', communes: all.filter((c) => c !== JUST_AT && c !== TINY) },
    ];
    // The independent model: each population against every earlier released one.
    const published: Set<string>[] = [];
    const outcomes: string[] = [];
    const modelled: string[] = [];
    for (const step of steps) {
      const population = new Set(data.linked.filter((p) => step.communes.includes(p.commune)).map((p) => p.nationalId));
      const risky = published.some((earlier) => {
        const diff = [...population].filter((x) => !earlier.has(x)).length + [...earlier].filter((x) => !population.has(x)).length;
        return diff >= 1 && diff <= MIN_CELL - 1;
      });
      modelled.push(risky ? 'rejected' : 'released');
      if (!risky) published.push(population);
      const c = await runComputation(fed, uc.id, {
        datasets: datasetsOf(fed),
        where: [{ column: 'h.commune', op: 'in', value: step.communes }],
        groupBy: ['s.incomeBand'],
        measures: [{ fn: 'count' }],
      });
      outcomes.push(c.status);
      if (c.status === 'rejected') {
        expect(c.rejection.code).toBe('differencing_risk');
        expect(c.result).toBeUndefined();
      }
    }
    expect(modelled).toEqual(['released', 'rejected', 'rejected', 'released', 'rejected']);
    expect(outcomes).toEqual(modelled);
  });
});
