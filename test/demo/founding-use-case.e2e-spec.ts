import { AddressInfo } from 'node:net';
import { CadreClient } from '../../scripts/demo/client';
import { COVID_MIN_CELL_SIZE, CovidOutcome, Federation, foundFederation, ProcurementOutcome, ResultRow, runCovidScenario, runProcurementScenario } from '../../scripts/demo/scenario';
import { generateCovidWorld, generateProcurementWorld } from '../../scripts/demo/synthetic';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { expectedIcu, expectedPositivity, expectedProcurement, primaryReason } from './expectations';

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

  it('releases positivity by commune × income band equal to an independent count, suppressed exactly below the committee’s minimum', () => {
    expect(covid.positivity.status).toBe('released');
    const expected = expectedPositivity(world);
    const rows = covid.positivity.result!.rows;
    expect(rows).toHaveLength(expected.size);
    for (const row of rows) {
      const cell = expected.get(`${row['h.commune']}|${row['s.incomeBand']}`);
      expect(cell).toBeDefined();
      const reason = primaryReason(cell!, COVID_MIN_CELL_SIZE);
      expect({ key: cell!.key, suppressed: row.suppressed }).toEqual({ key: cell!.key, suppressed: reason !== null });
      if (reason) expect(row.count).toBeNull();
      else expect(row.count).toBe(cell!.persons);
    }
    expect(covid.positivity.result!.disclosure.minCellSize).toBe(COVID_MIN_CELL_SIZE);
    expect(rows.some((r) => r.suppressed)).toBe(true);
    expect(rows.some((r) => !r.suppressed)).toBe(true);
  });

  it('releases ICU days by age band with dominance and secondary suppression honoured', () => {
    expect(covid.icu.status).toBe('released');
    const expected = expectedIcu(world);
    const rows = covid.icu.result!.rows;
    const bands = rows.filter((r) => r['h.age'] !== '*');
    const total = rows.find((r) => r['h.age'] === '*');
    expect(total).toBeDefined();
    for (const row of bands) {
      const cell = expected.get(String(row['h.age']))!;
      const reason = primaryReason(cell, COVID_MIN_CELL_SIZE, DEFAULT_DOMINANCE);
      if (reason) {
        expect(row).toMatchObject({ suppressed: true, count: null, 'sum(h.icuDays)': null, 'mean(h.icuDays)': null });
      } else if (!row.suppressed) {
        expect(row.count).toBe(cell.persons);
        expect(row['sum(h.icuDays)']).toBe(cell.sum);
        expect(row['mean(h.icuDays)'] as number).toBeCloseTo(cell.sum / cell.persons, 2);
      }
    }
    // The margin line (bands + total) holds zero or at least two suppressed cells.
    const suppressedInLine = rows.filter((r) => r.suppressed).length;
    expect(suppressedInLine === 0 || suppressedInLine >= 2).toBe(true);
  });

  it('reveals nothing about the patients isolated by an attacker', () => {
    expect(['released', 'rejected']).toContain(covid.isolation.status);
    for (const row of covid.isolation.result?.rows ?? []) {
      expect(row.suppressed).toBe(true);
      expect(row.count).toBeNull();
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
      const cell = expected.get(`${row['r.sizeBand']}|${row['r.departement']}`)!;
      const reason = primaryReason(cell, DEFAULT_MIN_CELL_SIZE, DEFAULT_DOMINANCE);
      expect({ key: cell.key, suppressed: row.suppressed, reason: row.reason ?? null }).toEqual({ key: cell.key, suppressed: reason !== null, reason });
      if (!reason) {
        expect(row.count).toBe(cell.persons);
        expect(row['sum(p.amount)']).toBeCloseTo(cell.sum, 6);
      }
    }
  });

  it('never returns an uploaded identifier in any result', () => {
    const body = JSON.stringify([covid, procurement]);
    for (const p of world.patients.slice(0, 500)) expect(body).not.toContain(p.nationalId);
    for (const c of procurementWorld.companies) expect(body).not.toContain(c.siren);
  });
});
