import { Client } from 'pg';
import type { DatabaseRole } from '@cadre/config';
import { DatasetsFixture, declareDataset, HOSPITAL_COLUMNS, hospitalCsv, startDatasetsFixture, uploadCsvText } from '../support/datasets';

/** The three runtime roles against a real, finalised version table: each boundary attacked head-on. */
describe('the vault roles around a loaded version table', () => {
  let f: DatasetsFixture;
  let table: string;
  const clients: Client[] = [];

  const connect = async (role: DatabaseRole) => {
    const client = new Client({ connectionString: f.platform.config.databaseUrl(role) });
    await client.connect();
    clients.push(client);
    const { rows } = await client.query('SELECT current_user');
    expect(rows[0].current_user).toBe({ owner: 'postgres', app: 'cadre_app', ingest: 'cadre_ingest', compute: 'cadre_compute' }[role]);
    return client;
  };
  const denied = /permission denied|must be owner|must be member|no plain version table/;

  beforeAll(async () => {
    f = await startDatasetsFixture();
    const dataset = await declareDataset(f.world, f.steward, { columns: HOSPITAL_COLUMNS });
    const upload = await uploadCsvText(f.world, f.steward, dataset.body.id, hospitalCsv(30));
    expect(upload.body.status).toBe('succeeded');
    const { rows } = await f.platform.owner.query(
      `SELECT v.table_name FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.id = $1`,
      [dataset.body.id],
    );
    table = rows[0].table_name;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await f.platform.close();
  });

  it('hands the table to cadre_vault and lets cadre_compute read it', async () => {
    const { rows } = await f.platform.owner.query(
      `SELECT tableowner, has_table_privilege('cadre_compute', 'vault.' || quote_ident(tablename), 'SELECT') AS compute_reads
         FROM pg_tables WHERE schemaname = 'vault' AND tablename = $1`,
      [table],
    );
    expect(rows).toEqual([{ tableowner: 'cadre_vault', compute_reads: true }]);
  });

  it('has planner statistics from ingestion, which only a role that may read the table sees', async () => {
    const stats = `SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'vault' AND tablename = $1`;
    expect((await f.platform.owner.query(stats, [table])).rows[0].n).toBeGreaterThan(0);
    expect((await (await connect('compute')).query(stats, [table])).rows[0].n).toBeGreaterThan(0);
    // Most common values and histograms are values: neither the API nor the ingest role sees them.
    expect((await (await connect('app')).query(stats, [table])).rows[0].n).toBe(0);
    expect((await (await connect('ingest')).query(stats, [table])).rows[0].n).toBe(0);
  });

  describe('the API role (cadre_app)', () => {
    it('cannot read the version table', async () => {
      const app = await connect('app');
      await expect(app.query(`SELECT * FROM vault."${table}"`)).rejects.toThrow(denied);
    });
    it('cannot call the hand-over or the orphan sweep', async () => {
      const app = await connect('app');
      await expect(app.query(`SELECT vault.finalise_version($1)`, [table])).rejects.toThrow(denied);
      await expect(app.query(`SELECT vault.drop_orphan_version($1)`, [table])).rejects.toThrow(denied);
    });
  });

  describe('the ingest role (cadre_ingest)', () => {
    it('cannot read back what it loaded', async () => {
      const ingest = await connect('ingest');
      await expect(ingest.query(`SELECT count(*) FROM vault."${table}"`)).rejects.toThrow(denied);
      await expect(ingest.query(`COPY vault."${table}" TO STDOUT`)).rejects.toThrow(denied);
    });
    it('cannot become the vault owner', async () => {
      const ingest = await connect('ingest');
      await expect(ingest.query(`SET ROLE cadre_vault`)).rejects.toThrow(denied);
      const { rows } = await f.platform.owner.query(`SELECT pg_has_role('cadre_ingest', 'cadre_vault', 'MEMBER') AS member`);
      expect(rows[0].member).toBe(false);
    });
    it('cannot alter, grant on or drop a finalised table', async () => {
      const ingest = await connect('ingest');
      await expect(ingest.query(`GRANT SELECT ON vault."${table}" TO cadre_ingest`)).rejects.toThrow(/permission denied|no privileges|not granted/);
      const { rows } = await f.platform.owner.query(`SELECT has_table_privilege('cadre_ingest', $1, 'SELECT') AS reads`, [`vault."${table}"`]);
      expect(rows[0].reads).toBe(false);
      await expect(ingest.query(`ALTER TABLE vault."${table}" OWNER TO cadre_ingest`)).rejects.toThrow(denied);
      await expect(ingest.query(`DROP TABLE vault."${table}"`)).rejects.toThrow(denied);
    });
    it('cannot launder a table it prepared for itself through the hand-over', async () => {
      const ingest = await connect('ingest');
      const name = 'ds_' + 'a'.repeat(32) + '_v1';
      await ingest.query(`CREATE TABLE vault.${name} (x text)`);
      await ingest.query(`GRANT SELECT ON vault.${name} TO cadre_app`);
      await expect(ingest.query(`SELECT vault.finalise_version($1)`, [name])).rejects.toThrow(/no plain version table/);
      const rls = 'ds_' + 'b'.repeat(32) + '_v1';
      await ingest.query(`CREATE TABLE vault.${rls} (x text)`);
      await ingest.query(`ALTER TABLE vault.${rls} ENABLE ROW LEVEL SECURITY`);
      await expect(ingest.query(`SELECT vault.finalise_version($1)`, [rls])).rejects.toThrow(/no plain version table/);
      await ingest.query(`CREATE TABLE vault.not_a_version (x text)`);
      await expect(ingest.query(`SELECT vault.finalise_version('not_a_version')`)).rejects.toThrow(/not a dataset version table name/);
    });
    it('has no privilege on the governance tables', async () => {
      const ingest = await connect('ingest');
      await expect(ingest.query(`SELECT * FROM cadre.uploads`)).rejects.toThrow(denied);
      await expect(ingest.query(`UPDATE cadre.datasets SET current_version_id = NULL`)).rejects.toThrow(denied);
    });
  });

  describe('the compute role (cadre_compute)', () => {
    it('reads the version table', async () => {
      const compute = await connect('compute');
      const { rows } = await compute.query(`SELECT count(*)::int AS n FROM vault."${table}"`);
      expect(rows[0].n).toBe(30);
    });
    it('cannot write, delete, truncate or create in vault', async () => {
      const compute = await connect('compute');
      await expect(compute.query(`INSERT INTO vault."${table}" (nir) VALUES ('x')`)).rejects.toThrow(denied);
      await expect(compute.query(`UPDATE vault."${table}" SET age = 0`)).rejects.toThrow(denied);
      await expect(compute.query(`DELETE FROM vault."${table}"`)).rejects.toThrow(denied);
      await expect(compute.query(`TRUNCATE vault."${table}"`)).rejects.toThrow(denied);
      await expect(compute.query(`CREATE TABLE vault.stolen AS SELECT * FROM vault."${table}"`)).rejects.toThrow(denied);
    });
    it('cannot read any governance table', async () => {
      const compute = await connect('compute');
      for (const t of ['organisations', 'datasets', 'dataset_versions', 'uploads']) {
        await expect(compute.query(`SELECT * FROM cadre.${t}`)).rejects.toThrow(denied);
      }
      const users = await f.platform.owner.query(`SELECT to_regclass('cadre.users') IS NOT NULL AS present`);
      if (users.rows[0].present) await expect(compute.query(`SELECT * FROM cadre.users`)).rejects.toThrow(denied);
    });
  });
});
