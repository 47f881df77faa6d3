import { Client } from 'pg';
import { generateWorld } from '../support/dataplane-data';
import { activeDataplaneUseCase, buildFederation, datasetsOf, Federation, Json, runComputation } from '../support/dataplane';
import { PgCluster } from '../support/pg-cluster';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

const PRIMARY_PORT = 55000 + (process.pid % 400) * 2;
const STANDBY_PORT = PRIMARY_PORT + 1;

/** Sequential scans of vault tables that the standby itself served (its own statistics). */
async function vaultScansOn(server: string, database: string): Promise<number> {
  const client = new Client({ connectionString: `${server}/${database}` });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT coalesce(sum(seq_scan), 0)::integer AS scans FROM pg_stat_user_tables WHERE schemaname = 'vault'`);
    return rows[0].scans;
  } finally {
    await client.end();
  }
}

/** Backends publish their statistics when idle, within 10 s (PGSTAT_IDLE_INTERVAL): wait up to 15 s for the count to pass `before`. */
async function scansAfter(server: string, database: string, before: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const scans = await vaultScansOn(server, database);
    if (scans > before || Date.now() > deadline) return scans;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Computations read the vault on a hot standby (streaming replication) when one is
 * configured, once it has replayed the versions they were planned on; a standby that is
 * gone costs at most the wait, and the computation runs on the primary. The primary and
 * the standby are clusters this suite starts itself, never the shared server.
 */
describe('reads on a replica: computations on a hot standby', () => {
  const query = (fed: Federation) => ({
    datasets: datasetsOf(fed),
    groupBy: ['h.commune', 's.incomeBand'],
    measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }],
    totals: true,
  });
  let primary: PgCluster;
  let standby: PgCluster;
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;

  beforeAll(async () => {
    primary = await PgCluster.primary(PRIMARY_PORT);
    standby = await PgCluster.standbyOf(primary, STANDBY_PORT);
    platform = await startTestPlatform({
      pgServer: primary.server,
      envFor: (database) => ({ DATABASE_REPLICA_URL: `postgres://cadre_compute@127.0.0.1:${STANDBY_PORT}/${database}`, CADRE_REPLICA_WAIT_MS: '3000' }),
    });
    fed = await buildFederation(new World(platform), generateWorld(7, 1200));
    useCase = await activeDataplaneUseCase(fed, { withoutReference: true });
  }, 180_000);
  afterAll(async () => {
    await platform?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  it('runs a computation on the standby, on the versions just loaded, and releases the same table as the primary', async () => {
    const before = await vaultScansOn(standby.server, platform.databaseName);
    const onStandby = await runComputation(fed, useCase.id, query(fed));
    expect(onStandby.status).toBe('released');
    expect(await scansAfter(standby.server, platform.databaseName, before)).toBeGreaterThan(before);

    // The standby is gone: the same computation runs on the primary, after at most the wait.
    await standby.stop('immediate');
    const started = Date.now();
    const onPrimary = await runComputation(fed, useCase.id, query(fed));
    expect(onPrimary.status).toBe('released');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(onPrimary.result.rows).toEqual(onStandby.result.rows);
    await standby.start();
  });

  it('waits for the standby to replay a new version before reading it there', async () => {
    const before = await vaultScansOn(standby.server, platform.databaseName);
    // The standby stops replaying: a version loaded now exists only on the primary.
    const pause = new Client({ connectionString: `${standby.server}/${platform.databaseName}` });
    await pause.connect();
    await pause.query('SELECT pg_wal_replay_pause()');
    const csv = ['nationalId,incomeBand', ...Array.from({ length: 40 }, (_, i) => `2${String(900_000_000_000 + i).padStart(12, '0')},low`)].join('\n');
    const upload = await fed.world.as(fed.social.user('data_steward').token).post(`/api/v1/datasets/${fed.households.id}/uploads`).set('content-type', 'text/csv').send(csv);
    expect(upload.status).toBe(202);
    // Replay resumes while the computation waits for it.
    setTimeout(() => void pause.query('SELECT pg_wal_replay_resume()'), 500);
    const result = await runComputation(fed, useCase.id, query(fed));
    await pause.end();
    expect(result.status).toBe('released');
    expect(await scansAfter(standby.server, platform.databaseName, before)).toBeGreaterThan(before);
  });
});
