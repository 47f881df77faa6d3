import { MIN_CELL } from '../support/dataplane-data';
import { AttackBench, attackBench, communeCode, Json, Patient, patientColumns, patientFactory, patientsCsv, rowOf } from '../support/attack-bench';
import { equalDeviationProbability, publishedTable, recoveryBound, signedPayload, statedPerturbation } from '../support/attack-cell-key';
import { startTestPlatform, TestPlatform } from '../support/platform';

/**
 * Differencing across dataset versions (issue 8, route 3). The attacker runs count and
 * sum of ICU days by commune; the provider then uploads its routine update — the same
 * rows plus one newcomer in each of 60 small communes — and the attacker reruns the
 * identical query. Each commune's difference is one newcomer. Every result must name
 * (and sign) the versions it was computed on, and cell key perturbation must keep exact
 * recoveries within what the public p-table allows for two cells of counts n and n − 1.
 */
describe('attack: differencing two versions of a dataset', () => {
  const COMMUNES = 60;
  const factory = patientFactory(3_2026);
  const communes = Array.from({ length: COMMUNES }, (_, i) => communeCode(i));
  const before: Patient[] = communes.flatMap((c) => Array.from({ length: factory.int(25, 45) }, () => factory.patient(c)));
  const newcomers: Patient[] = communes.map((c) => factory.patient(c, { icuDays: factory.int(1, 20) }));
  const after = [...before, ...newcomers];
  const countAfter = (c: string) => after.filter((p) => p.commune === c).length;

  let platform: TestPlatform;
  let bench: AttackBench;
  let datasetId: string;
  let versions: { before: number; after: number };
  let first: Json;
  let second: Json;
  const query = () => ({ datasets: [{ datasetId, as: 'h' }], groupBy: ['h.commune'], measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }] });

  beforeAll(async () => {
    platform = await startTestPlatform();
    bench = await attackBench(platform);
    const dataset = await bench.dataset('patients', patientColumns(communes), patientsCsv(before), before.length);
    datasetId = dataset.id;
    const useCase = await bench.activeUseCase([dataset], { minCellSize: MIN_CELL });
    const v1 = (await bench.describe(dataset)).currentVersion;
    first = await bench.run(useCase.id, query());
    // The provider's routine update: the same rows plus the newcomers, a new full version.
    await bench.loadVersion(dataset, patientsCsv(after), after.length);
    const v2 = (await bench.describe(dataset)).currentVersion;
    versions = { before: v1, after: v2 };
    second = await bench.run(useCase.id, query());
  });
  afterAll(() => platform?.close());

  it('names, inside the signature too, the dataset version each result was computed on', async () => {
    expect(versions.after).not.toEqual(versions.before);
    expect(first.status).toBe('released');
    // The new version's newcomers are far more than minCellSize − 1: rule 6 lets the rerun through.
    expect(second.status).toBe('released');
    expect(first.result.datasetVersions).toEqual([{ datasetId, version: versions.before }]);
    expect(second.result.datasetVersions).toEqual([{ datasetId, version: versions.after }]);
    for (const c of [first, second]) {
      const payload = await signedPayload(platform, c.result.signature);
      expect(payload.datasetVersions).toEqual(c.result.datasetVersions);
    }
    // The earlier result still says what it was computed on, read again after the update.
    const reread = await bench.await(first.id);
    expect(reread.result.datasetVersions).toEqual([{ datasetId, version: versions.before }]);
  });

  it('recovers the newcomers (count 1 and ICU days) no more often than the p-table allows', async () => {
    expect(newcomers.length).toBeGreaterThanOrEqual(50);
    const counts: string[] = [];
    const sums: string[] = [];
    for (const newcomer of newcomers) {
      const a = rowOf(second.result, { 'h.commune': newcomer.commune });
      const b = rowOf(first.result, { 'h.commune': newcomer.commune });
      // The attack is possible: both cells are released.
      expect({ commune: newcomer.commune, suppressed: [a?.suppressed, b?.suppressed] }).toEqual({ commune: newcomer.commune, suppressed: [false, false] });
      if (a.count - b.count === 1) counts.push(newcomer.commune);
      if (a['sum(h.icuDays)'] - b['sum(h.icuDays)'] === newcomer.icuDays) sums.push(newcomer.commune);
    }
    // Today every newcomer is recovered: these fail first, showing the leak.
    expect({ countRecoveries: counts.length }).not.toEqual({ countRecoveries: newcomers.length });
    expect({ sumRecoveries: sums.length }).not.toEqual({ sumRecoveries: newcomers.length });
    // Bound: recoveries ≤ Σp + 3·sd, p = Σ_d p_n(d)·p_{n−1}(d) from the published p-table, n the commune's count after the update.
    const table = await publishedTable(platform, statedPerturbation(second.result));
    const { expected, sd, bound } = recoveryBound(newcomers.map((p) => equalDeviationProbability(table, countAfter(p.commune), countAfter(p.commune) - 1)));
    const measured = { newcomers: newcomers.length, countRecoveries: counts.length, sumRecoveries: sums.length, expected, sd, bound };
    expect(measured.countRecoveries).toBeLessThanOrEqual(bound);
    expect(measured.sumRecoveries).toBeLessThanOrEqual(bound);
  });
});
