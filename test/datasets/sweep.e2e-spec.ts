import { Client } from 'pg';
import { SweepUploadsHandler } from '@cadre/datasets';
import { DatasetsFixture, declareDataset, HOSPITAL_COLUMNS, hospitalCsv, startDatasetsFixture, uploadCsvText } from '../support/datasets';

/**
 * A crash between the vault commit and the governance commit leaves a finalised table no
 * version references and an upload stuck in `running`; the sweep repairs both, and
 * touches nothing that is current or still streaming.
 */
describe('the upload sweep', () => {
  let f: DatasetsFixture;
  let ingest: Client;

  beforeAll(async () => {
    f = await startDatasetsFixture();
    ingest = new Client({ connectionString: f.platform.config.databaseUrl('ingest') });
    await ingest.connect();
  });
  afterAll(async () => {
    await ingest.end();
    await f.platform.close();
  });

  const tableExists = async (name: string) =>
    (await f.platform.owner.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'vault' AND tablename = $1`, [name])).rowCount === 1;

  /** What the ingest role leaves behind if the process dies right after the vault commit. */
  const crashAfterVaultCommit = async (datasetId: string, version: number, startedAgo: string) => {
    const table = `ds_${datasetId.replace(/-/g, '')}_v${version}`;
    const { rows } = await f.platform.owner.query(
      `INSERT INTO cadre.uploads (dataset_id, status, table_name, created_at) VALUES ($1, 'running', $2, now() - $3::interval) RETURNING id`,
      [datasetId, table, startedAgo],
    );
    await ingest.query(`CREATE TABLE vault."${table}" (nir text NOT NULL)`);
    await ingest.query(`INSERT INTO vault."${table}" VALUES ('0000')`);
    await ingest.query(`SELECT vault.finalise_version($1)`, [table]);
    return { uploadId: rows[0].id as string, table };
  };

  it('fails a dead upload, drops its orphan table, keeps the current version and a live upload', async () => {
    const dataset = (await declareDataset(f.world, f.steward, { columns: HOSPITAL_COLUMNS })).body;
    expect((await uploadCsvText(f.world, f.steward, dataset.id, hospitalCsv(12))).body.status).toBe('succeeded');
    const { rows: current } = await f.platform.owner.query(`SELECT table_name FROM cadre.dataset_versions WHERE dataset_id = $1`, [dataset.id]);
    const dead = await crashAfterVaultCommit(dataset.id, 7, '2 hours');
    const live = await crashAfterVaultCommit(dataset.id, 8, '1 second');

    const sweep = f.platform.app.get(SweepUploadsHandler, { strict: false });
    await sweep.handle();

    expect(await tableExists(dead.table)).toBe(false);
    expect(await tableExists(live.table)).toBe(true);
    expect(await tableExists(current[0].table_name)).toBe(true);
    const status = await f.world.as(f.steward.token).get(`/api/v1/datasets/${dataset.id}/uploads/${dead.uploadId}`);
    expect(status.body).toMatchObject({ status: 'failed', errorCount: 1, errors: [{ line: 0, column: null }] });
    const { rows: events } = await f.platform.owner.query(`SELECT action, actor_id, data FROM cadre.audit_events WHERE subject_id = $1`, [dead.uploadId]);
    expect(events).toEqual([{ action: 'dataset.upload_failed', actor_id: null, data: expect.objectContaining({ reason: 'interrupted' }) }]);
    expect((await f.world.as(f.steward.token).get(`/api/v1/datasets/${dataset.id}/uploads/${live.uploadId}`)).body.status).toBe('running');

    // a second sweep has nothing left to do
    expect(await sweep.failStaleUploads()).toBe(0);
    expect(await sweep.dropOrphanTables()).toEqual([]);
  });

  it('refuses, through the definer function itself, to drop a table a version references', async () => {
    const { rows } = await f.platform.owner.query(`SELECT table_name FROM cadre.dataset_versions LIMIT 1`);
    const dropped = await ingest.query(`SELECT vault.drop_orphan_version($1) AS dropped`, [rows[0].table_name]);
    expect(dropped.rows[0].dropped).toBe(false);
    expect(await tableExists(rows[0].table_name)).toBe(true);
  });
});
