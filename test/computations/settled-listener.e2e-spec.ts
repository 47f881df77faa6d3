import { randomUUID } from 'node:crypto';
import { settledOrTimeout, SETTLED_CHANNEL } from '../../libs/computations/src/computation-events';
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
});
