import { seededRandom } from '../../scripts/demo/synthetic';
import { AttackBench, attackBench, Json } from '../support/attack-bench';
import { uploadCsv } from '../support/dataplane';
import { statedPerturbation } from '../support/attack-cell-key';
import { isDominated, MIN_CELL, recomputableCells } from '../support/dataplane-data';
import { toCsv } from '../support/datasets';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { ColumnSpec } from '../support/world';

/** Dominance as the contracts carry it: the platform default of API.md (n = 1, k = 85 %), untouched by this use case. */
const DOMINANCE = { n: 1, k: 85 };
const YEARS = [2019, 2020, 2021, 2022, 2023];
const BUYERS = ['B1', 'B2', 'B3', 'B4', 'B5'];
/** The cell where one supplier dominates through many small contracts, and the earlier cell where it also has one. */
const DOMINATED_CELL = { year: 2022, buyer: 'B3' };
const DOMINANT_FIRST_CELL = { year: 2019, buyer: 'B1' };
/** A rare buyer: a handful of suppliers in one year, nobody in the others. */
const RARE = { year: 2020, buyer: 'B5', suppliers: 8 };

const CONTRACT_COLUMNS: ColumnSpec[] = [
  { name: 'supplierId', type: 'text', role: 'linkage_key' },
  { name: 'year', type: 'integer', role: 'quasi_identifier', min: 2019, max: 2023 },
  { name: 'buyer', type: 'category', role: 'attribute', categories: BUYERS },
  { name: 'amount', type: 'integer', role: 'sensitive', min: 0, max: 1_000_000 },
] as ColumnSpec[];

interface Contract {
  supplierId: string;
  year: number;
  buyer: string;
  amount: number;
}

/**
 * Public procurement, transaction-level (issue 13): suppliers × years × buyers, most
 * suppliers with contracts in several cells, one supplier dominating a cell through forty
 * contracts each small beside the cell's total, and a rare buyer whose one small cell sits
 * in a line with a released margin. The attacker subtracts released cells from margins to
 * recompute the suppressed cell; the released cells, margins and means are checked one by
 * one against a computation made here on the generated rows.
 */
function generateContracts(seed = 13_2026): Contract[] {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const rows: Contract[] = [];
  const suppliers = Array.from({ length: 150 }, (_, i) => `S${String(i).padStart(4, '0')}`);
  for (const s of suppliers) {
    for (let k = int(2, 12); k > 0; k--) rows.push({ supplierId: s, year: YEARS[int(0, 4)], buyer: BUYERS[int(0, 3)], amount: int(1_000, 50_000) });
  }
  for (const s of suppliers.slice(0, RARE.suppliers)) rows.push({ supplierId: s, year: RARE.year, buyer: RARE.buyer, amount: int(1_000, 50_000) });
  // The dominant supplier: one small contract in the first cell of the table, then forty large ones in another.
  rows.push({ supplierId: 'DOMINANT', ...DOMINANT_FIRST_CELL, amount: 2_000 });
  for (let k = 0; k < 40; k++) rows.push({ supplierId: 'DOMINANT', ...DOMINATED_CELL, amount: 400_000 });
  return rows;
}

/** A cell (or margin) computed independently: distinct persons, their totals in it, its rows. */
interface TrueCell {
  persons: Map<string, number>;
  rows: number;
  sum: number;
}
const cellKey = (year: string | number, buyer: string) => `${year}|${buyer}`;

function tabulateContracts(rows: Contract[]): Map<string, TrueCell> {
  const cells = new Map<string, TrueCell>();
  for (const r of rows) {
    // A row belongs to its cell, its year's margin, its buyer's margin and the grand total.
    for (const k of [cellKey(r.year, r.buyer), cellKey(r.year, '*'), cellKey('*', r.buyer), cellKey('*', '*')]) {
      const cell = cells.get(k) ?? { persons: new Map(), rows: 0, sum: 0 };
      cell.persons.set(r.supplierId, (cell.persons.get(r.supplierId) ?? 0) + r.amount);
      cell.rows += 1;
      cell.sum += r.amount;
      cells.set(k, cell);
    }
  }
  return cells;
}

describe('attack: dominance and margins on transaction-level data (a person in many cells)', () => {
  const rows = generateContracts();
  const truth = tabulateContracts(rows);
  const empty: TrueCell = { persons: new Map(), rows: 0, sum: 0 };
  const trueCell = (year: string, buyer: string) => truth.get(cellKey(year, buyer)) ?? empty;
  const maxContribution = (c: TrueCell) => Math.max(0, ...c.persons.values());

  let platform: TestPlatform;
  let bench: AttackBench;
  let datasetId: string;
  let useCase: Json;
  let table: Json;

  const measures = [{ fn: 'count' }, { fn: 'sum', column: 't.amount' }, { fn: 'mean', column: 't.amount' }];
  const SUM = 'sum(t.amount)';
  const MEAN = 'mean(t.amount)';

  beforeAll(async () => {
    platform = await startTestPlatform();
    bench = await attackBench(platform);
    // Declared without `level`: transaction-level is the default (API.md, Datasets).
    const dataset = await bench.dataset('contracts', CONTRACT_COLUMNS, toCsv(['supplierId', 'year', 'buyer', 'amount'], rows as never), rows.length);
    datasetId = dataset.id;
    useCase = await bench.activeUseCase([dataset], { minCellSize: MIN_CELL });
    table = await bench.run(useCase.id, { datasets: [{ datasetId, as: 't' }], groupBy: ['t.year', 't.buyer'], measures, totals: true });
  });
  afterAll(() => platform?.close());

  const rowAt = (year: string, buyer: string) => table.result.rows.find((r: Json) => String(r['t.year']) === year && String(r['t.buyer']) === buyer);

  it('the world is what the attack needs: suppliers in many cells, a dominance only visible per person, a small rare-buyer cell', () => {
    const cellsPerSupplier = new Map<string, Set<string>>();
    for (const r of rows) cellsPerSupplier.set(r.supplierId, (cellsPerSupplier.get(r.supplierId) ?? new Set()).add(cellKey(r.year, r.buyer)));
    expect([...cellsPerSupplier.values()].filter((s) => s.size >= 5).length).toBeGreaterThan(50);
    const dominated = trueCell(String(DOMINATED_CELL.year), DOMINATED_CELL.buyer);
    const largestRow = Math.max(...rows.filter((r) => r.year === DOMINATED_CELL.year && r.buyer === DOMINATED_CELL.buyer).map((r) => r.amount));
    expect(largestRow / dominated.sum).toBeLessThan(DOMINANCE.k / 100 / 10); // no single row comes near the threshold
    expect(isDominated([...dominated.persons.values()], DOMINANCE.n, DOMINANCE.k)).toBe(true);
    expect(dominated.persons.size).toBeGreaterThanOrEqual(MIN_CELL);
    expect(trueCell(String(RARE.year), RARE.buyer).persons.size).toBe(RARE.suppliers);
  });

  it('the catalogue says the dataset is transaction-level (the default)', async () => {
    expect((await bench.describe({ id: datasetId } as never)).level).toBe('transaction');
  });

  it('a person-level dataset (declared level "person") refuses at ingestion a file with two rows of one person', async () => {
    const steward = bench.provider.user('data_steward');
    const declared = await bench.world
      .as(steward.token)
      .post('/api/v1/datasets')
      .send({ name: 'suppliers-person-level', description: 'one row per supplier', level: 'person', columns: CONTRACT_COLUMNS });
    expect(declared.status).toBe(201);
    expect(declared.body.level).toBe('person');
    const [a, b] = rows;
    const csv = toCsv(['supplierId', 'year', 'buyer', 'amount'], [a, { ...b, supplierId: a.supplierId }] as never);
    const upload = await uploadCsv(bench.world, bench.provider, declared.body.id, csv);
    expect(upload.status).toBe('failed');
  });

  it('releases every cell and margin of the declared domain in agreement with an independent computation, within the stated bounds', () => {
    expect(table.status).toBe('released');
    const result = table.result;
    expect(result.columns).toEqual(['t.year', 't.buyer', 'count', SUM, MEAN]);
    // Perturbation as stated (0 when none is stated: then the values must be exact; stating it is checked below).
    const D = result.disclosure.perturbation?.maxDeviation ?? 0;
    const minCellSize = result.disclosure.minCellSize;
    expect(minCellSize).toBe(MIN_CELL);
    const labels = [...YEARS.map(String), '*'].flatMap((y) => [...BUYERS, '*'].map((b) => cellKey(y, b)));
    const mismatches: string[] = [];
    for (const k of labels) {
      const [year, buyer] = k.split('|');
      const row = rowAt(year, buyer);
      const t = trueCell(year, buyer);
      const persons = t.persons.size;
      const dominated = isDominated([...t.persons.values()], DOMINANCE.n, DOMINANCE.k);
      const expectReason = persons < minCellSize ? 'min_cell_size' : dominated ? 'dominance' : null;
      const seen = row ? `released ${row.suppressed ? `suppressed (${row.reason})` : `${row.count} / ${row[SUM]}`}, true ${persons} / ${t.sum}` : `absent, true ${persons} / ${t.sum}`;
      const mismatch = (problem: string) => mismatches.push(`${k}: ${problem}: ${seen}`);
      if (!row) {
        mismatch('missing from the declared domain');
      } else if (row.suppressed) {
        if (row.count !== null || row[SUM] !== null || row[MEAN] !== null) mismatch('suppressed with a value');
        if (expectReason ? row.reason !== expectReason : row.reason !== 'secondary') mismatch(`reason should be ${expectReason ?? 'secondary'}`);
      } else if (expectReason) {
        mismatch(`released, should be suppressed (${expectReason})`);
      } else {
        if (row.count < minCellSize || Math.abs(row.count - persons) > D) mismatch(`count beyond ±${D} of the distinct suppliers`);
        if (Math.abs(row[SUM] - t.sum) > D * maxContribution(t)) mismatch(`sum beyond ±${D} × the largest supplier total`);
        if (Math.abs(row[MEAN] - row[SUM] / row.count) > 0.01) mismatch('mean is not the released sum over the released count');
      }
    }
    expect(mismatches).toEqual([]);
    expect(result.rows).toHaveLength(labels.length);
    statedPerturbation(result);
  });

  it('suppresses for dominance the cell one supplier dominates through forty small contracts', () => {
    const row = rowAt(String(DOMINATED_CELL.year), DOMINATED_CELL.buyer);
    expect(row).toEqual({ 't.year': expect.anything(), 't.buyer': DOMINATED_CELL.buyer, count: null, [SUM]: null, [MEAN]: null, suppressed: true, reason: 'dominance' });
    // Its one small contract elsewhere does not drag its history there.
    const first = rowAt(String(DOMINANT_FIRST_CELL.year), DOMINANT_FIRST_CELL.buyer);
    expect(first.reason).not.toBe('dominance');
  });

  it('subtraction attack: no suppressed cell can be recomputed from its margin and the released cells of its line', () => {
    // A row absent from the result is a known zero to the attacker (as it would be on a result of only the present combinations).
    const released = (y: string, b: string) => !rowAt(y, b)?.suppressed;
    const sumOf = (k: string) => rowAt(...(k.split('|') as [string, string]))?.[SUM] ?? 0;
    const lines = [
      ...YEARS.map(String).map((y) => ({ cells: BUYERS.map((b) => cellKey(y, b)), margin: cellKey(y, '*') })),
      ...BUYERS.map((b) => ({ cells: YEARS.map(String).map((y) => cellKey(y, b)), margin: cellKey('*', b) })),
    ];
    const attempts: Json[] = [];
    for (const line of lines) {
      const [my, mb] = line.margin.split('|');
      const unknown = line.cells.filter((k) => !released(...(k.split('|') as [string, string])));
      if (!released(my, mb) || unknown.length !== 1) continue;
      // The attacker's estimate: the margin minus every other released cell of the line.
      const [uy, ub] = unknown[0].split('|');
      const estimate = sumOf(line.margin) - line.cells.filter((k) => k !== unknown[0]).reduce((s, k) => s + sumOf(k), 0);
      attempts.push({ cell: unknown[0], estimatedSum: estimate, trueSum: trueCell(uy, ub).sum, exact: estimate === trueCell(uy, ub).sum });
    }
    expect(attempts).toEqual([]);
    // The whole table as a linear system of sums (additive: each contract is in one cell): nothing suppressed is determined.
    const suppressed = new Set(
      [...YEARS.map(String), '*'].flatMap((y) => [...BUYERS, '*'].map((b) => cellKey(y, b))).filter((k) => !released(...(k.split('|') as [string, string]))),
    );
    expect(recomputableCells(lines.map((l) => ({ cells: [...l.cells, l.margin], margin: l.margin })), suppressed)).toEqual([]);
  });

  it('a mean per row is named meanPerRow(…) and lies within the stated bounds of the sum over the rows', async () => {
    const c = await bench.run(useCase.id, {
      datasets: [{ datasetId, as: 't' }],
      groupBy: ['t.year', 't.buyer'],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 't.amount' }, { fn: 'mean', column: 't.amount', per: 'row' }],
    });
    expect(c.status).toBe('released');
    expect(c.result.columns).toEqual(['t.year', 't.buyer', 'count', SUM, 'meanPerRow(t.amount)']);
    const D = statedPerturbation(c.result).maxDeviation;
    let checked = 0;
    for (const row of c.result.rows.filter((r: Json) => !r.suppressed)) {
      const t = trueCell(String(row['t.year']), String(row['t.buyer']));
      // Sum perturbed by at most D × the largest supplier total; the row count, if perturbed, by at most D.
      const low = (t.sum - D * maxContribution(t)) / (t.rows + D);
      const high = (t.sum + D * maxContribution(t)) / Math.max(1, t.rows - D);
      expect({ cell: cellKey(row['t.year'], row['t.buyer']), inBounds: row['meanPerRow(t.amount)'] >= low - 0.01 && row['meanPerRow(t.amount)'] <= high + 0.01 }).toEqual({
        cell: cellKey(row['t.year'], row['t.buyer']),
        inBounds: true,
      });
      // Per row is not per person here: suppliers hold several contracts in a cell.
      if (t.rows > t.persons.size) checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
