import { MIN_CELL } from '../support/dataplane-data';
import { AttackBench, attackBench, communeCode, Json, Patient, patientColumns, patientFactory, patientsCsv } from '../support/attack-bench';
import { startTestPlatform, TestPlatform } from '../support/platform';

/**
 * Isolation through the labels of suppressed rows (issue 8, route 1). A filter narrows the
 * population to one planted person — the only one aged 90 or over in their commune — and a
 * fine group-by (income band × COVID flag × one-day bins of ICU days, or exact age) would
 * name their values in the labels of the one row the data hold, even with its count
 * suppressed. The same attack runs in two worlds, with and without the victim: the results
 * must be the same whole declared domain, every cell suppressed alike, so nothing in them
 * tells whether the victim exists, let alone their values.
 */
describe('attack: isolating one person and reading the labels of the released rows', () => {
  const factory = patientFactory(1_2026);
  const communes = Array.from({ length: 12 }, (_, i) => communeCode(i));
  const others: Patient[] = communes.flatMap((c) => Array.from({ length: 30 }, () => factory.patient(c)));
  const victim = factory.patient(communes[5], { age: 95, incomeBand: 'high', covid: true, icuDays: 7 });
  const BANDS = ['low', 'middle', 'high'];
  /** One-day bins [0,1), [1,2), … [29,30) (a query holds at most 50 bins). */
  const ICU_BINS = Array.from({ length: 31 }, (_, i) => i);

  let platform: TestPlatform;
  let bench: AttackBench;
  /** One use case per world, so that neither world's history touches the other's. */
  const worlds: Record<'present' | 'absent', { useCase: Json; datasetId: string }> = {} as never;

  beforeAll(async () => {
    platform = await startTestPlatform();
    bench = await attackBench(platform);
    const variants: ['present' | 'absent', Patient[]][] = [['present', [...others, victim]], ['absent', others]];
    for (const [name, rows] of variants) {
      const dataset = await bench.dataset(`patients-${name}`, patientColumns(communes), patientsCsv(rows), rows.length);
      worlds[name] = { datasetId: dataset.id, useCase: await bench.activeUseCase([dataset], { minCellSize: MIN_CELL }) };
    }
  });
  afterAll(() => platform?.close());

  const narrowing = [
    { column: 'h.commune', op: 'eq', value: victim.commune },
    { column: 'h.age', op: 'gte', value: 90 },
  ];

  /** The same attack in both worlds. */
  async function inBothWorlds(query: (datasetId: string) => unknown): Promise<{ present: Json; absent: Json }> {
    const present = await bench.run(worlds.present.useCase.id, query(worlds.present.datasetId));
    const absent = await bench.run(worlds.absent.useCase.id, query(worlds.absent.datasetId));
    return { present, absent };
  }

  /** The label tuples of a result, as strings. */
  const labelsOf = (result: Json, groupColumns: string[]) => result.rows.map((r: Json) => groupColumns.map((c) => String(r[c])).join('|'));
  const product = (...domains: string[][]) => domains.reduce<string[]>((acc, d) => acc.flatMap((a) => d.map((v) => (a === '' ? v : `${a}|${v}`))), ['']);

  function expectAllSuppressedAlike(result: Json, groupColumns: string[], measureColumns: string[]) {
    for (const row of result.rows) {
      const labels = Object.fromEntries(groupColumns.map((c) => [c, row[c]]));
      expect(row).toEqual({ ...labels, ...Object.fromEntries(measureColumns.map((m) => [m, null])), suppressed: true, reason: 'min_cell_size' });
    }
  }

  it('income band × COVID × one-day ICU bins: the whole declared domain, identical with and without the victim, every cell suppressed alike', async () => {
    const groupColumns = ['h.incomeBand', 'h.covid', 'h.icuDays'];
    const measureColumns = ['count', 'sum(h.icuDays)', 'mean(h.icuDays)'];
    const { present, absent } = await inBothWorlds((datasetId) => ({
      datasets: [{ datasetId, as: 'h' }],
      where: narrowing,
      groupBy: ['h.incomeBand', 'h.covid', { column: 'h.icuDays', bins: ICU_BINS }],
      measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }, { fn: 'mean', column: 'h.icuDays' }],
    }));
    expect([present.status, absent.status]).toEqual(['released', 'released']);
    const domain = product(BANDS, ['false', 'true'], ICU_BINS.slice(1).map((hi) => `[${hi - 1},${hi})`));
    expect(domain).toHaveLength(3 * 2 * 30);
    // Not only the combinations present in the data: every declared one, once.
    expect(present.result.rows).toHaveLength(domain.length);
    expect(new Set(labelsOf(present.result, groupColumns))).toEqual(new Set(domain));
    expectAllSuppressedAlike(present.result, groupColumns, measureColumns);
    // Nothing tells the two worlds apart: same columns, same rows in the same order.
    expect(present.result.columns).toEqual(absent.result.columns);
    expect(present.result.rows).toEqual(absent.result.rows);
    // Not in the disclosure summary either (e.g. a count of suppressed cells that skips empty ones).
    expect(present.result.disclosure).toEqual(absent.result.disclosure);
  });

  it('exact age (an integer group-by): every integer of the declared bounds, identical with and without the victim', async () => {
    const { present, absent } = await inBothWorlds((datasetId) => ({
      datasets: [{ datasetId, as: 'h' }],
      where: narrowing,
      groupBy: ['h.age'],
      measures: [{ fn: 'count' }],
    }));
    expect([present.status, absent.status]).toEqual(['released', 'released']);
    const ages = Array.from({ length: 111 }, (_, i) => String(i)); // declared min 0, max 110
    expect(present.result.rows).toHaveLength(ages.length);
    expect(new Set(labelsOf(present.result, ['h.age']))).toEqual(new Set(ages));
    expectAllSuppressedAlike(present.result, ['h.age'], ['count']);
    expect(present.result.rows).toEqual(absent.result.rows);
    expect(present.result.disclosure).toEqual(absent.result.disclosure);
  });

  it('refuses (422) a group-by on a column with no declared domain (free text)', async () => {
    const res = await bench.submit(worlds.present.useCase.id, {
      datasets: [{ datasetId: worlds.present.datasetId, as: 'h' }],
      where: narrowing,
      groupBy: ['h.postcode'],
      measures: [{ fn: 'count' }],
    });
    expect(res.status).toBe(422);
  });

  it('refuses (422 too_many_cells) a domain above the cap of 10,000 cells', async () => {
    // 12 communes × 111 ages × 61 ICU days = 81,252 cells.
    const res = await bench.submit(worlds.present.useCase.id, {
      datasets: [{ datasetId: worlds.present.datasetId, as: 'h' }],
      groupBy: ['h.commune', 'h.age', 'h.icuDays'],
      measures: [{ fn: 'count' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('too_many_cells');
  });
});
