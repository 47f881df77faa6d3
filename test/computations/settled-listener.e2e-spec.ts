import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isHearing, notifySettled, SETTLED_CHANNEL, watchSettled } from '../../libs/computations/src/computation-events';
import { startTestPlatform, TestPlatform } from '../support/platform';

describe('long polls across processes', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
  });
  afterAll(() => platform?.close());

  it('wakes a waiting request in the API when a worker elsewhere notifies PostgreSQL', async () => {
    const id = randomUUID();
    const started = Date.now();
    const waiting = watchSettled(id, 10_000).settled;
    // What a worker in another process does after the transaction that finished the computation.
    await platform.owner.query('SELECT pg_notify($1, $2)', [SETTLED_CHANNEL, id]);
    await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is told by the transaction that ends a computation at its commit, and never by one that rolls back', async () => {
    const db = platform.app.get(DataSource);
    const committed = randomUUID();
    const rolledBack = randomUUID();
    let woke = false;
    const waiting = watchSettled(committed, 10_000).settled.then(() => (woke = true));
    const rolledBackSince = Date.now();
    const waitingRolledBack = watchSettled(rolledBack, 1_500).settled;
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await notifySettled(runner.manager, committed);
      await new Promise((r) => setTimeout(r, 300));
      expect(woke).toBe(false); // not before COMMIT
      await runner.commitTransaction();
      await runner.startTransaction();
      await notifySettled(runner.manager, rolledBack);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    await waiting;
    expect(woke).toBe(true);
    await waitingRolledBack;
    expect(Date.now() - rolledBackSince).toBeGreaterThanOrEqual(1_400); // only its timeout ended the wait
  });

  it('says whether it hears: deaf when its connection is killed, hearing again after reconnecting, and every wait re-reads then', async () => {
    expect(isHearing()).toBe(true);
    const watch = watchSettled(randomUUID(), 30_000); // a wait on a computation nobody will announce
    const since = Date.now();
    await platform.owner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cadre-settled-listener' AND datname = $1`, [platform.databaseName]);
    const deadline = Date.now() + 5_000;
    while (isHearing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(isHearing()).toBe(false);
    await watch.settled; // woken by the reconnection (notices sent while deaf are lost), not by its 30 s timeout
    expect(isHearing()).toBe(true);
    expect(Date.now() - since).toBeLessThan(10_000);
  });
});
