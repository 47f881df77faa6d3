import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { notifySettled, settledOrTimeout, SETTLED_CHANNEL } from '../../libs/computations/src/computation-events';
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
    const waiting = settledOrTimeout(id, 10_000);
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
    const waiting = settledOrTimeout(committed, 10_000).then(() => (woke = true));
    const rolledBackSince = Date.now();
    const waitingRolledBack = settledOrTimeout(rolledBack, 1_500);
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
});
