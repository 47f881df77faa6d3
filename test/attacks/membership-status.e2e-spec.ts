import type { INestApplicationContext } from '@nestjs/common';
import { communeCode, Json, patientColumns, patientFactory, patientsCsv } from '../support/attack-bench';
import { activeUseCase } from '../support/contracts';
import { startWorkerFor, uploadCsv } from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { Member, TestDataset, TestUser, World } from '../support/world';

/**
 * Membership status (issue 8, route 4). A suspended organisation, or one that has not
 * adhered to the current charter, must get nothing out of the platform: neither as the
 * requester of a use case nor as one of its providers, neither at submission (422) nor
 * when a computation queued before the change finally runs (`rejected`, with the same
 * code). The worker is held off while the status changes, then started, as a queue
 * backlog would behave. A healthy use case beside them still runs, so a refusal is
 * the membership rule at work, not a broken worker.
 */
describe('attack: computing while suspended or outside the current charter', () => {
  const factory = patientFactory(4_2026);
  const communes = [communeCode(0), communeCode(1), communeCode(2)];
  const rows = communes.flatMap((c) => Array.from({ length: 30 }, () => factory.patient(c)));

  let platform: TestPlatform;
  let world: World;
  let worker: INestApplicationContext | undefined;
  /** Requesters: suspended later, never changed, outside the next charter. */
  let labS: Member, labY: Member, labN: Member;
  /** Providers: suspended later, never changed, outside the next charter. */
  let provS: Member, provX: Member, provN: Member;
  const uc: Record<'reqSuspended' | 'provSuspended' | 'reqNotAdhering' | 'provNotAdhering' | 'healthy', { id: string; researcher: TestUser; datasetId: string }> = {} as never;

  const query = (datasetId: string) => ({ datasets: [{ datasetId, as: 'h' }], groupBy: ['h.commune'], measures: [{ fn: 'count' }] });
  const submit = (which: keyof typeof uc) => world.as(uc[which].researcher.token).post(`/api/v1/use-cases/${uc[which].id}/computations`).send({ query: query(uc[which].datasetId) });

  async function outcome(which: keyof typeof uc, id: string): Promise<Json> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await world.as(uc[which].researcher.token).get(`/api/v1/computations/${id}`);
      expect(res.status).toBe(200);
      if (!['queued', 'running'].includes(res.body.status)) return res.body;
      if (Date.now() > deadline) throw new Error(`computation ${id} still ${res.body.status}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** Submits each use case's query while no worker runs; every one is accepted (202) and stays queued. */
  async function queue(...which: (keyof typeof uc)[]): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const w of which) {
      const res = await submit(w);
      expect({ w, status: res.status }).toEqual({ w, status: 202 });
      ids[w] = res.body.id;
    }
    return ids;
  }

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    // Loads run with a worker; it stops before the attacks.
    worker = await startWorkerFor(platform);
    world = new World(platform);
    const committee = await world.appointCommittee(3);
    [labS, labY, labN] = [await world.createMember('academia', ['researcher']), await world.createMember('academia', ['researcher']), await world.createMember('health', ['researcher'])];
    [provS, provX, provN] = [
      await world.createMember('health', ['data_steward']),
      await world.createMember('public_institutions', ['data_steward']),
      await world.createMember('local_authorities', ['data_steward']),
    ];
    const datasets = new Map<Member, TestDataset>();
    for (const provider of [provS, provX, provN]) {
      const dataset = await world.createDataset(provider, { name: 'patients', columns: patientColumns(communes) });
      const upload = await uploadCsv(world, provider, dataset.id, patientsCsv(rows));
      expect(upload.status).toBe('succeeded');
      datasets.set(provider, dataset);
    }
    const pairs: [keyof typeof uc, Member, Member][] = [
      ['reqSuspended', labS, provX],
      ['provSuspended', labY, provS],
      ['reqNotAdhering', labN, provX],
      ['provNotAdhering', labY, provN],
      ['healthy', labY, provX],
    ];
    for (const [which, requester, provider] of pairs) {
      const dataset = datasets.get(provider)!;
      const trusted = await activeUseCase(world, { requester, providers: [provider], datasets: [dataset], committee });
      uc[which] = { id: trusted.useCase.id, researcher: requester.user('researcher'), datasetId: dataset.id };
    }
    await worker.close();
    worker = undefined;
  });
  afterAll(async () => {
    await worker?.close();
    await platform?.close();
  });

  /** Runs the worker until `check` is done, then stops it (the next phase queues with no worker again). */
  async function withWorker(check: () => Promise<void>): Promise<void> {
    worker = await startWorkerFor(platform);
    try {
      await check();
    } finally {
      await worker.close();
      worker = undefined;
    }
  }

  it('a computation queued before its requester or provider is suspended is rejected (organisation_suspended) when the job runs', async () => {
    const queued = await queue('reqSuspended', 'provSuspended', 'healthy');
    const admin = await world.adminToken();
    for (const org of [labS, provS]) {
      const res = await world.as(admin).patch(`/api/v1/organisations/${org.id}`).send({ status: 'suspended' });
      expect(res.status).toBe(200);
    }
    await withWorker(async () => {
      const seen = [];
      for (const which of ['reqSuspended', 'provSuspended'] as const) {
        const c = await outcome(which, queued[which]);
        seen.push({ which, status: c.status, code: c.rejection?.code, hasResult: c.result !== undefined });
      }
      expect(seen).toEqual(['reqSuspended', 'provSuspended'].map((which) => ({ which, status: 'rejected', code: 'organisation_suspended', hasResult: false })));
      expect((await outcome('healthy', queued.healthy)).status).toBe('released');
    });
  });

  it('a suspended requester or provider is refused at submission (422 organisation_suspended)', async () => {
    const seen = [];
    for (const which of ['reqSuspended', 'provSuspended'] as const) {
      const res = await submit(which);
      seen.push({ which, status: res.status, code: res.body.code });
    }
    expect(seen).toEqual(['reqSuspended', 'provSuspended'].map((which) => ({ which, status: 422, code: 'organisation_suspended' })));
  });

  it('a computation queued before a new charter its requester or provider has not adhered to is rejected (charter_not_adhered) when the job runs', async () => {
    const queued = await queue('reqNotAdhering', 'provNotAdhering', 'healthy');
    // A new charter: every member of these use cases but labN and provN adheres to it.
    const charter = await world.publishCharter();
    for (const member of [labY, provX]) await world.adhere(member, charter.id);
    await withWorker(async () => {
      const seen = [];
      for (const which of ['reqNotAdhering', 'provNotAdhering'] as const) {
        const c = await outcome(which, queued[which]);
        seen.push({ which, status: c.status, code: c.rejection?.code, hasResult: c.result !== undefined });
      }
      expect(seen).toEqual(['reqNotAdhering', 'provNotAdhering'].map((which) => ({ which, status: 'rejected', code: 'charter_not_adhered', hasResult: false })));
      expect((await outcome('healthy', queued.healthy)).status).toBe('released');
    });
  });

  it('a requester or provider outside the current charter is refused at submission (422 charter_not_adhered); those who adhered still compute', async () => {
    const seen = [];
    for (const which of ['reqNotAdhering', 'provNotAdhering'] as const) {
      const res = await submit(which);
      seen.push({ which, status: res.status, code: res.body.code });
    }
    expect(seen).toEqual(['reqNotAdhering', 'provNotAdhering'].map((which) => ({ which, status: 422, code: 'charter_not_adhered' })));
    const fresh = await submit('healthy');
    expect(fresh.status).toBe(202);
    await withWorker(async () => expect((await outcome('healthy', fresh.body.id)).status).toBe('released'));
  });
});
