import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { csvStream, DatasetsEngine, datasetName, expectedPseudonym, fakeNir, insertOrganisation, startDatasetsEngine } from '../support/datasets';

const ROWS = 300_000;
const NOTE = 'x'.repeat(60);
/** Live heap growth allowed while the whole file streams through; the file is several times larger. */
const LIVE_HEAP_BUDGET_MB = 8;

// A full collection before each sample, so that the samples measure what is retained, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('memory stays bounded on a large streamed upload', () => {
  let engine: DatasetsEngine;
  beforeAll(async () => {
    engine = await startDatasetsEngine();
  });
  afterAll(() => engine.close());

  it(`streams ${ROWS} rows generated on the fly into the vault without ever holding the file`, async () => {
    const steward = { id: '00000000-0000-4000-8000-000000000001', organisationId: await insertOrganisation(engine.owner) };
    const dataset = await engine.datasets.create(steward, {
      name: datasetName('big'),
      columns: [
        { name: 'nir', type: 'text', role: 'linkage_key' },
        { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
        { name: 'note', type: 'text', role: 'attribute' },
      ],
    });
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const liveGrowthMb: number[] = [];
    let bytes = 0;
    // Sampled from inside the generator: the pipeline pulls it, so samples fall while rows are in flight.
    const source = csvStream(['nir', 'age', 'note'], ROWS, (i) => {
      if (i % 20_000 === 0) {
        gc();
        liveGrowthMb.push((process.memoryUsage().heapUsed - baseline) / 2 ** 20);
      }
      const row = [fakeNir(i), i % 100, `${NOTE}${i}`];
      bytes += row.join(',').length + 1;
      return row;
    });

    const upload = await engine.uploads.upload(steward, dataset.id, source);
    expect(upload).toMatchObject({ status: 'succeeded', rowsAccepted: ROWS });

    const fileMb = bytes / 2 ** 20;
    expect(liveGrowthMb).toHaveLength(ROWS / 20_000);
    expect(fileMb).toBeGreaterThan(2 * LIVE_HEAP_BUDGET_MB);
    expect(Math.max(...liveGrowthMb)).toBeLessThan(LIVE_HEAP_BUDGET_MB);

    const [{ current }] = await engine.datasets.describe([dataset.id]);
    const { rows } = await engine.owner.query(
      `SELECT count(*)::int AS n, count(DISTINCT nir)::int AS persons, bool_and(nir ~ '^[0-9a-f]{64}$') AS hex FROM vault."${current!.table}"`,
    );
    expect(rows[0]).toEqual({ n: ROWS, persons: ROWS, hex: true });
    const last = await engine.owner.query(`SELECT age::int FROM vault."${current!.table}" WHERE nir = $1`, [expectedPseudonym(engine.config.pseudonymKey, fakeNir(ROWS - 1))]);
    expect(last.rows).toEqual([{ age: (ROWS - 1) % 100 }]);
  });
});
