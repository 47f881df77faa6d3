import { randomUUID } from 'node:crypto';
import { OutboxService, UnitOfWork } from '@cadre/jobs';
import { startTestPlatform, TestPlatform } from '../support/platform';

/** A port nothing listens on: Redis "down". */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:6390';

describe('GET /health', () => {
  describe('with PostgreSQL and Redis up', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform();
    });
    afterAll(() => platform.close());

    it('answers 200 with both dependencies up, without a token', async () => {
      const res = await platform.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    });

    it('is documented in the OpenAPI document, outside /api/v1', async () => {
      const doc = await platform.http().get('/docs-json');
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1/audit/events', '/api/v1/audit/verification']));
    });
  });

  describe('with Redis unreachable', () => {
    let platform: TestPlatform;
    let bootMs: number;
    beforeAll(async () => {
      const started = Date.now();
      platform = await startTestPlatform({ env: { REDIS_URL: UNREACHABLE_REDIS } });
      bootMs = Date.now() - started;
    });
    afterAll(async () => {
      const started = Date.now();
      await platform.close();
      // Closing must not hang on connections that never opened.
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('boots anyway (API and worker), without waiting for Redis', () => {
      expect(bootMs).toBeLessThan(20_000);
    });

    it('answers 503 quickly, naming Redis as down and the database as up', async () => {
      const started = Date.now();
      const res = await platform.http().get('/health');
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.body).toMatchObject({ status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } } });
    });

    it('still commits a state change; its job waits in the outbox for the sweeper', async () => {
      const unit = platform.app.get(UnitOfWork, { strict: false });
      const outbox = platform.app.get(OutboxService, { strict: false });
      const started = Date.now();
      const id = await unit.run((em) => outbox.enqueue(em, 'ping', { pingId: randomUUID() }));
      expect(Date.now() - started).toBeLessThan(5000);
      const { rows } = await platform.owner.query('SELECT status FROM cadre.outbox WHERE id = $1', [id]);
      expect(rows).toEqual([{ status: 'pending' }]);
    });
  });
});
