import { AddressInfo } from 'node:net';
import { CadreClient } from '../../scripts/demo/client';
import {
  COVID_MIN_CELL_SIZE,
  CovidOutcome,
  Federation,
  foundFederation,
  ISOLATION_ICU_BINS,
  POSITIVITY_RATE,
  ProcurementOutcome,
  ResultRow,
  runCovidScenario,
  runProcurementScenario,
} from '../../scripts/demo/scenario';
import { generateCovidWorld, generateProcurementWorld } from '../../scripts/demo/synthetic';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { emptyCell, expectedIcu, expectedPositivityByCommune, expectedProcurement, expectedProcurementByYear, ICU_BINS, primaryReason } from './expectations';

/** The platform defaults of API.md: minimum cell size 11, dominance n = 1, k = 85 %. */
const DEFAULT_MIN_CELL_SIZE = 11;
const DEFAULT_DOMINANCE = { n: 1 as const, k: 85 };

describe('the founding use case, run as the demo runs it (smaller population)', () => {
  let platform: TestPlatform;
  let federation: Federation;
  const world = generateCovidWorld(20200317, 12_000);
  const procurementWorld = generateProcurementWorld(20200317);
  let covid: CovidOutcome;
  let procurement: ProcurementOutcome;

  beforeAll(async () => {
    platform = await startTestPlatform();
    await platform.app.listen(0, '127.0.0.1');
    const { port } = platform.app.getHttpServer().address() as AddressInfo;
    const operator = await new CadreClient(`http://127.0.0.1:${port}`).login(ADMIN.email, ADMIN.password);
    federation = await foundFederation(operator, () => undefined);
    covid = await runCovidScenario(federation, world, () => undefined);
    procurement = await runProcurementScenario(federation, procurementWorld, () => undefined);
  }, 600_000);
  afterAll(() => platform?.close());

  it('refuses the vote of the hospital’s committee member (recused)', () => {
    expect(covid.recusal?.status).toBe(403);
    expect(covid.recusal?.body.code).toBe('recused');
  });

  /** The platform's cell key perturbation, which these use cases do not tighten (API.md rule 3). */
  const D = 2;

  it('releases the headline map: positives per 1,000 inhabitants by commune, within the perturbation of an independent count', () => {
    expect(covid.positivity.status).toBe('released');
    const expected = expectedPositivityByCommune(world);
    const result = covid.positivity.result!;
    expect(result.disclosure.perturbation).toEqual({ method: 'cell_key', maxDeviation: D, variance: 1 });
    // Rule 0: every declared commune, in order, whatever the data hold.
    expect(result.rows.map((r) => r['h.commune'])).toEqual(world.communes.map((c) => c.code).sort());
    const population = new Map(world.communes.map((c) => [c.code, c.population]));
    for (const row of result.rows) {
      const cell = expected.get(String(row['h.commune'])) ?? emptyCell(String(row['h.commune']));
      const reason = primaryReason(cell, COVID_MIN_CELL_SIZE);
      expect({ key: cell.key, suppressed: row.suppressed }).toEqual({ key: cell.key, suppressed: reason !== null });
      if (reason) {
        expect([row.count, row[POSITIVITY_RATE]]).toEqual([null, null]);
        continue;
      }
      const count = row.count as number;
      expect(count).toBeGreaterThanOrEqual(Math.max(COVID_MIN_CELL_SIZE, cell.persons - D));
      expect(count).toBeLessThanOrEqual(cell.persons + D);
      // The rate is derived from the released count and the reference population, never from the true count.
      expect(row[POSITIVITY_RATE] as number).toBeCloseTo((count / population.get(cell.key)!) * 1000, 2);
    }
    expect(result.disclosure.minCellSize).toBe(COVID_MIN_CELL_SIZE);
    expect(result.rows.some((r) => r.suppressed)).toBe(true);
    expect(result.rows.some((r) => !r.suppressed)).toBe(true);
    expect(result.datasetVersions).toHaveLength(3);
  });

  it('releases ICU days by age band with dominance and secondary suppression honoured, within the perturbation bounds', () => {
    expect(covid.icu.status).toBe('released');
    const expected = expectedIcu(world);
    const rows = covid.icu.result!.rows;
    const bands = rows.filter((r) => r['h.age'] !== '*');
    expect(bands.map((r) => r['h.age'])).toEqual(ICU_BINS.slice(0, -1).map((lo, i) => `[${lo},${ICU_BINS[i + 1]})`));
    const total = rows.find((r) => r['h.age'] === '*');
    expect(total).toBeDefined();
    for (const row of bands) {
      const cell = expected.get(String(row['h.age'])) ?? emptyCell(String(row['h.age']));
      const reason = primaryReason(cell, COVID_MIN_CELL_SIZE, DEFAULT_DOMINANCE);
      if (reason) {
        expect(row).toMatchObject({ suppressed: true, count: null, 'sum(h.icuDays)': null, 'mean(h.icuDays)': null });
      } else if (!row.suppressed) {
        expect(Math.abs((row.count as number) - cell.persons)).toBeLessThanOrEqual(D);
        expect(Math.abs((row['sum(h.icuDays)'] as number) - cell.sum)).toBeLessThanOrEqual(D * cell.top);
        // The mean is the released sum over the released count: no exact mean beside them.
        expect(row['mean(h.icuDays)'] as number).toBeCloseTo((row['sum(h.icuDays)'] as number) / (row.count as number), 2);
      }
    }
    // The margin line (bands + total) holds zero or at least two suppressed cells.
    const suppressedInLine = rows.filter((r) => r.suppressed).length;
    expect(suppressedInLine === 0 || suppressedInLine >= 2).toBe(true);
  });

  it('reveals nothing about the patients isolated by an attacker: the labels are the whole declared domain, every row suppressed', () => {
    expect(['released', 'rejected']).toContain(covid.isolation.status);
    if (covid.isolation.status === 'released') {
      const rows = covid.isolation.result!.rows;
      const bins = ISOLATION_ICU_BINS.slice(0, -1).map((lo, i) => `[${lo},${ISOLATION_ICU_BINS[i + 1]})`);
      expect(rows.map((r) => `${r['h.covidPositive']}|${r['h.icuDays']}`)).toEqual(['false', 'true'].flatMap((c) => bins.map((b) => `${c}|${b}`)));
    }
    for (const row of covid.isolation.result?.rows ?? []) {
      expect(row).toMatchObject({ suppressed: true, reason: 'min_cell_size', count: null, 'sum(h.icuDays)': null });
    }
  });

  it('refuses a crossing the committee forbade', () => {
    expect(covid.forbiddenCross?.status).toBe(422);
    expect(covid.forbiddenCross?.body.code).toBe('forbidden_group_by');
  });

  it('rejects a population that differs from an earlier one by a handful of persons', () => {
    expect(covid.differencing.status).toBe('rejected');
    expect(covid.differencing.rejection?.code).toBe('differencing_risk');
    expect(JSON.stringify(covid.differencing)).not.toMatch(/\b\d{13}\b/);
  });

  it('shows the dominance rule on procurement: the cell one supplier dominates is suppressed, the others equal an independent sum', () => {
    expect(procurement.shares.status).toBe('released');
    const expected = expectedProcurement(procurementWorld);
    const rows: ResultRow[] = procurement.shares.result!.rows;
    const dominated = rows.find((r) => r['r.sizeBand'] === 'large' && r['r.departement'] === '34');
    expect(dominated).toMatchObject({ suppressed: true, reason: 'dominance' });
    for (const row of rows) {
      const key = `${row['r.sizeBand']}|${row['r.departement']}`;
      const cell = expected.get(key) ?? emptyCell(key);
      const reason = primaryReason(cell, DEFAULT_MIN_CELL_SIZE, DEFAULT_DOMINANCE);
      expect({ key: cell.key, suppressed: row.suppressed, reason: row.reason ?? null }).toEqual({ key: cell.key, suppressed: reason !== null, reason });
      if (!reason) {
        expect(Math.abs((row.count as number) - cell.persons)).toBeLessThanOrEqual(D);
        expect(Math.abs((row['sum(p.amount)'] as number) - cell.sum)).toBeLessThanOrEqual(D * cell.top + 0.01);
      }
    }
  });

  it('shows transaction-level data by year: a supplier counts in every year it won a contract in, once in each margin', () => {
    expect(procurement.byYear.status).toBe('released');
    const expected = expectedProcurementByYear(procurementWorld);
    const result = procurement.byYear.result!;
    expect(result.columns).toEqual(['p.year', 'r.sizeBand', 'count', 'sum(p.amount)', 'mean(p.amount)', 'meanPerRow(p.amount)']);
    let released = 0;
    for (const row of result.rows) {
      const key = `${row['p.year']}|${row['r.sizeBand']}`;
      const cell = expected.get(key) ?? { ...emptyCell(key), rows: 0 };
      const reason = primaryReason(cell, DEFAULT_MIN_CELL_SIZE, DEFAULT_DOMINANCE);
      if (reason) {
        expect({ key, suppressed: row.suppressed, reason: row.reason }).toEqual({ key, suppressed: true, reason });
        continue;
      }
      if (row.suppressed) {
        expect({ key, reason: row.reason }).toEqual({ key, reason: 'secondary' });
        continue;
      }
      released++;
      expect(Math.abs((row.count as number) - cell.persons)).toBeLessThanOrEqual(D);
      expect(Math.abs((row['sum(p.amount)'] as number) - cell.sum)).toBeLessThanOrEqual(D * cell.top + 0.01);
      const perRow = row['meanPerRow(p.amount)'] as number;
      expect(perRow).toBeGreaterThanOrEqual((cell.sum - D * cell.top) / (cell.rows + D) - 0.01);
      expect(perRow).toBeLessThanOrEqual((cell.sum + D * cell.top) / (cell.rows - D) + 0.01);
    }
    expect(released).toBeGreaterThan(5);
    // Not additive: suppliers winning in several years count once in their size band's margin.
    const micro = expected.get('*|micro')!;
    const microYears = [2019, 2020, 2021, 2022, 2023].reduce((n, y) => n + (expected.get(`${y}|micro`)?.persons ?? 0), 0);
    expect(micro.persons).toBeLessThan(microYears);
    const microMargin = result.rows.find((r) => r['p.year'] === '*' && r['r.sizeBand'] === 'micro')!;
    expect(Math.abs((microMargin.count as number) - micro.persons)).toBeLessThanOrEqual(D);
  });

  it('never returns an uploaded identifier in any result', () => {
    const body = JSON.stringify([covid, procurement]);
    for (const p of world.patients.slice(0, 500)) expect(body).not.toContain(p.nationalId);
    for (const c of procurementWorld.companies) expect(body).not.toContain(c.siren);
  });
});
