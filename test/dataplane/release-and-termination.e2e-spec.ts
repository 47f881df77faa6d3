import type { INestApplicationContext } from '@nestjs/common';
import { COMMUNE_CODES, generateWorld, MIN_CELL, primaryReason, tabulate } from '../support/dataplane-data';
import {
  activeDataplaneUseCase,
  awaitComputation,
  budgetOf,
  buildFederation,
  contractsOf,
  datasetsOf,
  Federation,
  Json,
  researcherOf,
  startWorkerFor,
  submitComputation,
} from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { TestUser, World } from '../support/world';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What happens between submission and release. The platform runs without workers, so a
 * submitted computation stays queued for as long as the suite wants; a worker-only
 * application on the same database and queues (as `npm run start:worker`) is started
 * when the suite wants the jobs to run.
 */
describe('data plane: queued computations, termination, provider review', () => {
  const data = generateWorld();
  let platform: TestPlatform;
  let worker: INestApplicationContext | undefined;
  let fed: Federation;
  let plain: Json;
  let reviewed: Json;
  let cancelledId: string;

  const as = (user: TestUser) => fed.world.as(user.token);
  const query = () => ({ datasets: datasetsOf(fed), groupBy: ['h.commune'], measures: [{ fn: 'count' }] });

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    // Loads run with a worker (whether ingestion is inline or a job); then the worker stops.
    worker = await startWorkerFor(platform);
    fed = await buildFederation(new World(platform), data);
    plain = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL }, withoutReference: true });
    reviewed = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL, releaseMode: 'provider_review' } });
    await worker.close();
    worker = undefined;
  });
  afterAll(async () => {
    await worker?.close();
    await platform?.close();
  });

  it('cancels a queued computation for the team only, once', async () => {
    const res = await submitComputation(fed, plain.id, query());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    cancelledId = res.body.id;
    expect((await as(researcherOf(fed)).get(`/api/v1/computations/${cancelledId}`)).body.status).toBe('queued');

    const byOutsider = await as(fed.outsider.user('researcher')).post(`/api/v1/computations/${cancelledId}/cancel`);
    expect(byOutsider.status).toBe(404);
    const byProvider = await as(fed.hospital.admin).post(`/api/v1/computations/${cancelledId}/cancel`);
    expect(byProvider.status).toBe(403);

    const cancelled = await as(researcherOf(fed)).post(`/api/v1/computations/${cancelledId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: cancelledId, status: 'cancelled' });
    expect(cancelled.body.result).toBeUndefined();
    const again = await as(researcherOf(fed)).post(`/api/v1/computations/${cancelledId}/cancel`);
    expect(again.status).toBe(409);
  });

  it('rejects (contract_inactive) a computation queued before its contract was terminated, when its job finally runs', async () => {
    const res = await submitComputation(fed, plain.id, query());
    expect(res.status).toBe(202);
    const queuedId = res.body.id;

    const contract = (await contractsOf(fed, plain.id)).find((c: Json) => c.current && c.provider.id === fed.social.id);
    const terminated = await as(fed.social.admin).post(`/api/v1/contracts/${contract.id}/terminate`).send({ reason: 'The social body withdraws its data' });
    expect(terminated.status).toBe(200);
    expect(terminated.body.status).toBe('terminated');

    worker = await startWorkerFor(platform);
    const c = await awaitComputation(fed, queuedId);
    expect(c.status).toBe('rejected');
    expect(c.rejection.code).toBe('contract_inactive');
    expect(c.result).toBeUndefined();

    // The cancelled computation was not run by the worker that came up.
    await sleep(500);
    const cancelled = await as(researcherOf(fed)).get(`/api/v1/computations/${cancelledId}`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.result).toBeUndefined();
    expect((await budgetOf(fed, plain.id)).computationsUsed).toBe(0);

    // New submissions are refused at once now.
    const late = await submitComputation(fed, plain.id, query());
    expect(late.status).toBe(422);
    expect(['contract_inactive', 'use_case_inactive']).toContain(late.body.code);
  });

  it('holds a provider_review result from the team until every provider released it, then serves it as CSV', async () => {
    expect(worker).toBeDefined();
    const res = await submitComputation(fed, reviewed.id, query());
    expect(res.status).toBe(202);
    const id = res.body.id;
    const held = await awaitComputation(fed, id);
    expect(held.status).toBe('pending_release');
    expect(held.result).toBeUndefined();
    const earlyCsv = await as(researcherOf(fed)).get(`/api/v1/computations/${id}/result.csv`);
    expect(earlyCsv.status).not.toBe(200);
    expect(earlyCsv.text).not.toMatch(/h\.commune/);

    // A provider reviews the result before releasing it.
    const review = await as(fed.hospital.user('data_steward')).get(`/api/v1/computations/${id}`);
    expect(review.status).toBe(200);
    expect(review.body.result.rows.length).toBeGreaterThan(0);
    // The team cannot release its own result.
    const selfRelease = await as(researcherOf(fed)).post(`/api/v1/computations/${id}/release`);
    expect([403, 404]).toContain(selfRelease.status);

    const providers = [fed.hospital.user('data_steward'), fed.social.admin, fed.insee.user('data_steward')];
    for (const [i, provider] of providers.entries()) {
      const released = await as(provider).post(`/api/v1/computations/${id}/release`);
      expect(released.status).toBe(200);
      const seen = await as(researcherOf(fed)).get(`/api/v1/computations/${id}`);
      if (i < providers.length - 1) {
        expect(seen.body.status).toBe('pending_release');
        expect(seen.body.result).toBeUndefined();
      } else {
        expect(seen.body.status).toBe('released');
      }
    }

    const final = await awaitComputation(fed, id);
    expect(final.status).toBe('released');
    const expected = tabulate(data.linked, (p) => p.commune);
    // The whole declared domain; counts within the cell key method's maxDeviation (2) of the truth.
    expect(final.result.rows.map((r: { 'h.commune': string }) => r['h.commune'])).toEqual([...COMMUNE_CODES].sort());
    for (const row of final.result.rows) {
      const cell = expected.get(row['h.commune']) ?? { persons: 0, icuSum: 0, icu: [] };
      if (primaryReason(cell, MIN_CELL)) expect(row.count).toBeNull();
      else expect(Math.abs(row.count - cell.persons)).toBeLessThanOrEqual(2);
    }

    const csv = await as(researcherOf(fed)).get(`/api/v1/computations/${id}/result.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split(/\r?\n/);
    const header = [...final.result.columns, 'suppressed', 'reason'];
    expect(lines[0]).toBe(header.join(','));
    expect(lines.slice(1)).toEqual(final.result.rows.map((r: Json) => header.map((h) => (r[h] === null || r[h] === undefined ? '' : String(r[h]))).join(',')));
  });
});
