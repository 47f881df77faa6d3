import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Handler, JobHandler, JobPayload, OutboxService, UnitOfWork } from '@cadre/jobs';
import { PlatformModule } from '@cadre/platform';
import { WorkerModule } from '../../apps/worker/src';
import { startTestPlatform, TestPlatform } from '../support/platform';

const REDIS_URL = process.env.CADRE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Every run of the test-only 'ping' handler, in order; pings listed in `failing` throw. */
const runs: string[] = [];
const failing = new Set<string>();

@JobHandler('ping')
@Injectable()
class PingProbe implements Handler<'ping'> {
  async handle({ pingId }: JobPayload<'ping'>) {
    runs.push(pingId);
    if (failing.has(pingId)) throw new Error('probe failure');
  }
}

@Module({ providers: [PingProbe] })
class PingProbeModule {}

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('the transactional outbox', () => {
  let platform: TestPlatform;
  let unit: UnitOfWork;
  let outbox: OutboxService;
  let redis: Redis;
  let worker: TestingModule | undefined;

  const row = async (id: string) =>
    (await platform.owner.query<{ status: string; attempts: number }>('SELECT status, attempts FROM cadre.outbox WHERE id = $1', [id])).rows[0];
  const messageExists = async (id: string) => (await redis.exists(`${platform.queuePrefix}:maintenance:${id}`)) === 1;
  const ping = async () => {
    const pingId = randomUUID();
    const id = await unit.run((em) => outbox.enqueue(em, 'ping', { pingId }));
    return { id, pingId };
  };
  /** What a Redis flush (or a restart without persistence) does to this deployment's queues. */
  const flushQueues = async () => {
    const keys = await redis.keys(`${platform.queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
  };

  beforeAll(async () => {
    // The API alone: it only produces. The worker is started by the tests, as a separate process would be.
    platform = await startTestPlatform({ worker: false });
    unit = platform.app.get(UnitOfWork, { strict: false });
    outbox = platform.app.get(OutboxService, { strict: false });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await worker?.close();
    redis.disconnect();
    await platform.close();
  });

  it('publishes a unit’s jobs to BullMQ right after commit, with the outbox row id as jobId', async () => {
    const { id } = await ping();
    expect(await row(id)).toMatchObject({ status: 'published', attempts: 0 });
    expect(await messageExists(id)).toBe(true);
  });

  it('writes nothing, and publishes nothing, when the unit rolls back', async () => {
    let id = '';
    await expect(
      unit.run(async (em) => {
        id = await outbox.enqueue(em, 'ping', { pingId: randomUUID() });
        throw new Error('state change refused');
      }),
    ).rejects.toThrow('state change refused');
    expect(await row(id)).toBeUndefined();
    expect(await messageExists(id)).toBe(false);
  });

  it('refuses a payload that is not ids only, before writing anything', async () => {
    const before = (await platform.owner.query('SELECT count(*)::int AS n FROM cadre.outbox')).rows[0].n;
    await expect(unit.run((em) => outbox.enqueue(em, 'ping', { pingId: 'marie.curie@example.org' }))).rejects.toThrow(/UUID values/);
    await expect(unit.run((em) => outbox.enqueue(em, 'ping', { pingId: randomUUID(), income: '52000' } as never))).rejects.toThrow(/exactly \{pingId\}/);
    expect((await platform.owner.query('SELECT count(*)::int AS n FROM cadre.outbox')).rows[0].n).toBe(before);
  });

  it('runs a job whose Redis message was flushed exactly once, after the sweeper finds it', async () => {
    const lost = await ping();
    expect(await messageExists(lost.id)).toBe(true);
    await flushQueues();
    expect(await messageExists(lost.id)).toBe(false);

    // Committed but never published (the process died between commit and publish): pending, no message.
    const unpublished = { pingId: randomUUID() };
    const unpublishedId = await platform.app.get(DataSource).transaction((em) => outbox.enqueue(em, 'ping', unpublished));
    expect(await row(unpublishedId)).toMatchObject({ status: 'pending' });

    worker = await Test.createTestingModule({ imports: [PlatformModule.forRoot(platform.config), WorkerModule, PingProbeModule] }).compile();
    worker.useLogger(worker.get(Logger)); // as apps/worker/src/main.ts does (silent in tests)
    await worker.init();

    await until('both rows done', async () => (await row(lost.id)).status === 'done' && (await row(unpublishedId)).status === 'done');
    // Several more sweeps go by: nothing runs again.
    await new Promise((r) => setTimeout(r, 3 * platform.config.sweepIntervalMs + 500));
    expect(runs.filter((p) => p === lost.pingId)).toHaveLength(1);
    expect(runs.filter((p) => p === unpublished.pingId)).toHaveLength(1);
    expect(await row(lost.id)).toEqual({ status: 'done', attempts: 1 });
    expect(await row(unpublishedId)).toEqual({ status: 'done', attempts: 1 });
  });

  it('has no second effect when a done job is delivered again', async () => {
    const { id, pingId } = await ping();
    await until('the job done', async () => (await row(id)).status === 'done');
    const queue = (await import('bullmq')).Queue;
    const q = new queue('maintenance', { connection: { url: REDIS_URL }, prefix: platform.queuePrefix });
    try {
      await (await q.getJob(id))?.remove();
      await q.add('ping', { pingId }, { jobId: id });
      await until('the redelivered job completed', async () => (await (await q.getJob(id))?.getState()) === 'completed');
    } finally {
      await q.close();
    }
    expect(runs.filter((p) => p === pingId)).toHaveLength(1);
    expect(await row(id)).toEqual({ status: 'done', attempts: 1 });
  });

  it('retries a failing handler, then marks its row failed (and never done)', async () => {
    const pingId = randomUUID();
    failing.add(pingId);
    const id = await unit.run((em) => outbox.enqueue(em, 'ping', { pingId }));
    await until('the row failed', async () => (await row(id)).status === 'failed', 20_000);
    expect(runs.filter((p) => p === pingId)).toHaveLength(3);
    expect(await row(id)).toEqual({ status: 'failed', attempts: 3 });
  });

  it('forgets done rows after their retention, and keeps failed and recent ones', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    const oldFailed = randomUUID();
    await platform.owner.query(
      `INSERT INTO cadre.outbox (id, name, payload, status, attempts, created_at, done_at) VALUES
         ($1, 'ping', '{}', 'done', 1, now() - interval '9 days', now() - interval '8 days'),
         ($2, 'ping', '{}', 'done', 1, now() - interval '2 days', now() - interval '1 day'),
         ($3, 'ping', '{}', 'failed', 3, now() - interval '9 days', now() - interval '8 days')`,
      [old, recent, oldFailed],
    );
    await until('the old done row deleted', async () => (await row(old)) === undefined);
    expect(await row(recent)).toMatchObject({ status: 'done' });
    expect(await row(oldFailed)).toMatchObject({ status: 'failed' });
  });
});
