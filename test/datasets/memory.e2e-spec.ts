import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { csvStream, DatasetsFixture, declareDataset, expectedPseudonym, fakeNir, startDatasetsFixture, streamUpload } from '../support/datasets';

const ROWS = 300_000;
const NOTE = 'x'.repeat(60);
/** Live heap growth allowed while the whole file streams through; the file is several times larger. */
const LIVE_HEAP_BUDGET_MB = 8;

// A full collection before each sample, so that the samples measure what is retained, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('memory stays bounded on a large streamed upload', () => {
  let f: DatasetsFixture;
  beforeAll(async () => {
    f = await startDatasetsFixture();
  });
  afterAll(() => f.platform.close());

  it(`streams ${ROWS} rows generated on the fly through HTTP into the vault without ever holding the file`, async () => {
    const declared = await declareDataset(f.world, f.steward, {
      columns: [
        { name: 'nir', type: 'text', role: 'linkage_key' },
        { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
        { name: 'note', type: 'text', role: 'attribute' },
      ],
    });
    expect(declared.status).toBe(201);
    const datasetId: string = declared.body.id;
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

    const answer = await streamUpload(f.platform, f.steward.token, datasetId, source);
    expect(answer).toMatchObject({ status: 202, body: { status: 'succeeded' } });
    const upload = await f.world.as(f.steward.token).get(`/api/v1/datasets/${datasetId}/uploads/${answer.body.id}`);
    expect(upload.body).toMatchObject({ status: 'succeeded', rowsAccepted: ROWS });

    const fileMb = bytes / 2 ** 20;
    expect(liveGrowthMb).toHaveLength(ROWS / 20_000);
    expect(fileMb).toBeGreaterThan(2 * LIVE_HEAP_BUDGET_MB);
    expect(Math.max(...liveGrowthMb)).toBeLessThan(LIVE_HEAP_BUDGET_MB);

    const owner = f.platform.owner;
    const [{ table_name: table }] = (
      await owner.query(`SELECT v.table_name FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`, [datasetId])
    ).rows;
    const { rows } = await owner.query(`SELECT count(*)::int AS n, count(DISTINCT nir)::int AS persons, bool_and(nir ~ '^[0-9a-f]{64}$') AS hex FROM vault."${table}"`);
    expect(rows[0]).toEqual({ n: ROWS, persons: ROWS, hex: true });
    const last = await owner.query(`SELECT age::int FROM vault."${table}" WHERE nir = $1`, [expectedPseudonym(f.platform.config.pseudonymKey, fakeNir(ROWS - 1))]);
    expect(last.rows).toEqual([{ age: (ROWS - 1) % 100 }]);
  });
});
