import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Injectable, Module } from '@nestjs/common';
import { Handler, JobHandler, JobOutcome, JobPayload, OutboxService, UnitOfWork } from '@cadre/jobs';
import { WorkerMetricsModule, WorkerMetricsServer } from '../../apps/worker/src/worker-metrics.server';
import { createUser, insertOrganisation, login } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

/** A port nothing listens on: connections to it are refused. */
const REFUSING_REDIS = 'redis://127.0.0.1:6391';
const SCRAPE_TOKEN = 'scrape-token-0123456789-abcdef';
/** What a careless handler could put in an error message: a value and an identifier. */
const LEAKY_MESSAGE = 'income 52000 of marie.curie@example.org (pseudonym 9f86d081884c7d65)';

const rejecting = new Set<string>();
const failing = new Set<string>();

/** A test-only handler of the 'ping' job: done, rejected with a code, or failing with a leaky message. */
@JobHandler('ping')
@Injectable()
class PingProbe implements Handler<'ping'> {
  async handle({ pingId }: JobPayload<'ping'>): Promise<JobOutcome | void> {
    if (failing.has(pingId)) throw new Error(LEAKY_MESSAGE);
    if (rejecting.has(pingId)) return { outcome: 'rejected', code: 'differencing_risk' };
  }
}
@Module({ providers: [PingProbe] })
class PingProbeModule {}

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('operations: metrics, queue dashboard, job logs, readiness', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let orgAdminToken: string;
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const jobLines = (jobId: string) =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.jobId === jobId && typeof l.event === 'string' && String(l.event).startsWith('job.'));
  const ping = async (pingId = randomUUID()) => {
    const unit = platform.app.get(UnitOfWork, { strict: false });
    const outbox = platform.app.get(OutboxService, { strict: false });
    return { pingId, jobId: await unit.run((em) => outbox.enqueue(em, 'ping', { pingId })) };
  };

  beforeAll(async () => {
    platform = await startTestPlatform({ env: { LOG_LEVEL: 'info', CADRE_METRICS_TOKEN: SCRAPE_TOKEN, CADRE_HEARTBEAT_INTERVAL_MS: '200' }, logStream, imports: [PingProbeModule] });
    adminToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
    const org = await insertOrganisation(platform);
    orgAdminToken = (await createUser(platform, adminToken, org, ['org_admin'])).tokens.accessToken;
  });
  afterAll(() => platform.close());

  describe('GET /metrics', () => {
    it('refuses an anonymous scrape (401) and an organisation admin (403)', async () => {
      const anonymous = await platform.http().get('/metrics');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(anonymous.text).not.toMatch(/cadre_http_request_duration_seconds/);
      const member = await platform.http().get('/metrics').set('Authorization', `Bearer ${orgAdminToken}`);
      expect(member.status).toBe(403);
      expect(member.text).not.toMatch(/cadre_/);
      const guessed = await platform.http().get('/metrics').set('Authorization', `Bearer ${SCRAPE_TOKEN.slice(0, -1)}x`);
      expect(guessed.status).toBe(401);
    });

    it('serves a platform admin, and a scraper presenting CADRE_METRICS_TOKEN', async () => {
      await platform.http().get('/api/v1/me').set('Authorization', `Bearer ${adminToken}`).expect(200);
      const res = await platform.http().get('/metrics').set('Authorization', `Bearer ${adminToken}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      // HTTP latency by route pattern and status.
      expect(res.text).toMatch(/cadre_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status="200"\} \d+/);
      const scraped = await platform.http().get('/metrics').set('Authorization', `Bearer ${SCRAPE_TOKEN}`);
      expect(scraped.status).toBe(200);
    });

    it('carries queue depth, job duration by outcome, computations, ingest, audit append and outbox metrics', async () => {
      const { jobId } = await ping();
      await until('the ping job to end', () => jobLines(jobId).some((l) => l.event === 'job.end'));
      const text = (await platform.http().get('/metrics').set('Authorization', `Bearer ${SCRAPE_TOKEN}`)).text;
      expect(text).toMatch(/cadre_queue_jobs\{queue="computations",state="waiting"\} \d+/);
      expect(text).toMatch(/cadre_queue_jobs\{queue="maintenance",state="completed"\} \d+/);
      expect(text).toMatch(/cadre_job_duration_seconds_count\{job="ping",outcome="done"\} [1-9]/);
      expect(text).toMatch(/cadre_outbox_rows_waiting\{status="pending"\} \d+/);
      expect(text).toMatch(/cadre_outbox_oldest_waiting_seconds \d/);
      expect(text).toMatch(/# TYPE cadre_computations gauge/);
      expect(text).toMatch(/# TYPE cadre_ingest_rows_total counter/);
      // Creating a user (beforeAll) appended audit events.
      expect(text).toMatch(/cadre_audit_append_duration_seconds_count [1-9]/);
    });

    it('labels unrouted paths "unmatched", so ids and probes never become labels', async () => {
      const probe = `/no-such-route/${randomUUID()}`;
      await platform.http().get(probe).expect(404);
      const text = (await platform.http().get('/metrics').set('Authorization', `Bearer ${SCRAPE_TOKEN}`)).text;
      expect(text).toMatch(/route="unmatched",status="404"/);
      expect(text).not.toContain(probe);
    });
  });

  describe('Bull Board at /admin/queues', () => {
    it('refuses an anonymous visitor (401) and an organisation admin (403), on the page and its API', async () => {
      for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
        expect((await platform.http().get(path)).status).toBe(401);
        const member = await platform.http().get(path).set('Authorization', `Bearer ${orgAdminToken}`);
        expect(member.status).toBe(403);
        expect(member.text).not.toMatch(/computations|maintenance/);
      }
    });

    it('shows a platform admin the queues, job ids and states, and no value', async () => {
      const { jobId, pingId } = await ping();
      await until('the ping job to end', () => jobLines(jobId).some((l) => l.event === 'job.end'));
      const page = await platform.http().get('/admin/queues').set('Authorization', `Bearer ${adminToken}`);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<html/i);
      const api = await platform
        .http()
        .get('/admin/queues/api/queues')
        .query({ activeQueue: 'maintenance', status: 'completed', page: '1', jobsPerPage: '50' })
        .set('Authorization', `Bearer ${adminToken}`);
      expect(api.status).toBe(200);
      const queues = api.body.queues as { name: string; readOnlyMode: boolean; jobs: { id: string; data: unknown }[] }[];
      expect(queues.map((q) => q.name).sort()).toEqual(['computations', 'maintenance']);
      expect(queues.every((q) => q.readOnlyMode)).toBe(true);
      const job = queues.find((q) => q.name === 'maintenance')?.jobs.find((j) => j.id === jobId);
      expect(job?.data).toEqual({ pingId });
    });

    it('is read-only: a platform admin cannot retry, clean or remove jobs through it', async () => {
      const res = await platform.http().put('/admin/queues/api/queues/maintenance/clean/completed').set('Authorization', `Bearer ${adminToken}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
    });
  });

  describe('job log lines', () => {
    it('writes one line when a job starts and one when it ends: name, ids, duration, outcome', async () => {
      const { jobId, pingId } = await ping();
      await until('the end line', () => jobLines(jobId).some((l) => l.event === 'job.end'));
      const [start, end] = jobLines(jobId);
      expect(start).toMatchObject({ event: 'job.start', job: 'ping', jobId, attempt: 1, ids: { pingId } });
      expect(end).toMatchObject({ event: 'job.end', job: 'ping', jobId, outcome: 'done', ids: { pingId } });
      expect(end.durationMs).toEqual(expect.any(Number));
    });

    it("carries a rejection's code", async () => {
      const pingId = randomUUID();
      rejecting.add(pingId);
      const { jobId } = await ping(pingId);
      await until('the end line', () => jobLines(jobId).some((l) => l.event === 'job.end'));
      expect(jobLines(jobId).find((l) => l.event === 'job.end')).toMatchObject({ outcome: 'rejected', code: 'differencing_risk' });
    });

    it("never carries a failing handler's message (values, identifiers, pseudonyms)", async () => {
      const pingId = randomUUID();
      failing.add(pingId);
      const { jobId } = await ping(pingId);
      await until('the end line', () => jobLines(jobId).some((l) => l.event === 'job.end'));
      expect(jobLines(jobId).find((l) => l.event === 'job.end')).toMatchObject({ outcome: 'failed', error: 'Error' });
      const output = lines.join('\n');
      expect(output).toContain(jobId); // the lines were captured
      for (const fragment of ['52000', 'marie.curie', '9f86d081884c7d65', 'SELECT', 'UPDATE cadre']) expect(output).not.toContain(fragment);
    });
  });

  describe('health', () => {
    it('is live and ready (database, Redis, a worker heartbeat), without a token', async () => {
      expect((await platform.http().get('/health/live')).body).toEqual({ status: 'ok' });
      await until('a worker heartbeat', async () => (await platform.http().get('/health/ready')).status === 200);
      const ready = await platform.http().get('/health/ready');
      expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' }, workers: { status: 'up' } } });
    });
  });
});

describe('readiness with Redis refusing connections', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ env: { REDIS_URL: REFUSING_REDIS, CADRE_METRICS_TOKEN: SCRAPE_TOKEN } });
  });
  afterAll(() => platform.close());

  it('answers /health/ready 503 naming Redis (and the unreadable heartbeats), while /health/live stays 200', async () => {
    const started = Date.now();
    const ready = await platform.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ready.body).toMatchObject({ status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' }, workers: { status: 'down' } } });
    expect((await platform.http().get('/health/live')).status).toBe(200);
  });

  // Logins need Redis (failed attempts are counted there: 503 without it), so the scraper's token.
  it('still serves /metrics to the scraper, without queue depth', async () => {
    const res = await platform.http().get('/metrics').set('Authorization', `Bearer ${SCRAPE_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/cadre_queue_jobs\{/);
  });
});

describe('a worker process on its own: /metrics on a separate bind address', () => {
  let platform: TestPlatform;
  let server: WorkerMetricsServer;
  let base: string;
  beforeAll(async () => {
    // The API-less platform of `npm run start:worker`, with its metrics endpoint on a free loopback port.
    platform = await startTestPlatform({ apiless: true, imports: [WorkerMetricsModule], env: { CADRE_WORKER_METRICS_PORT: '0', CADRE_METRICS_TOKEN: SCRAPE_TOKEN } });
    server = platform.app.get(WorkerMetricsServer, { strict: false });
    base = `http://127.0.0.1:${server.port()}`;
  });
  afterAll(() => platform.close());

  it('refuses a scrape without the token, serves the job metrics with it', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/# TYPE cadre_job_duration_seconds histogram/);
    expect((await fetch(`${base}/anything-else`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } })).status).toBe(404);
  });
});
