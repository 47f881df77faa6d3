import { INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PlatformModule } from '@cadre/platform';
import { WorkerModule } from '../../apps/worker/src';
import { contractOf, listContracts, signAllContracts } from './contracts';
import {
  COMMUNES_DATASET,
  CommuneRow,
  GeneratedWorld,
  HOSPITAL_DATASET,
  HospitalRow,
  SOCIAL_DATASET,
  SocialRow,
  toCsv,
} from './dataplane-data';
import type { TestPlatform } from './platform';
import { Member, TestDataset, TestUser, World } from './world';

/**
 * The data plane over HTTP: a federation of a research lab (the requester), three
 * providers (hospital, social body, statistics office) and an outsider, the generated
 * world loaded as CSV through the upload route, use cases taken to `active` with the
 * conditions and contract tightenings a suite asks, and computations run to the end.
 *
 *   const fed = await buildFederation(world, generateWorld());
 *   const uc = await activeDataplaneUseCase(fed, { conditions: { minCellSize: MIN_CELL } });
 *   const c = await runComputation(fed, uc.id, { datasets: [...], measures: [{ fn: 'count' }] });
 */

export type Json = any;

export interface Federation {
  world: World;
  lab: Member;
  hospital: Member;
  social: Member;
  insee: Member;
  outsider: Member;
  committee: TestUser[];
  patients: TestDataset;
  households: TestDataset;
  communes: TestDataset;
  /** Upload ids of the three loads (for cross-organisation attacks). */
  uploads: { patients: string; households: string; communes: string };
}

function expectStatus(res: { status: number; body: unknown; text?: string }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body ?? res.text)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST /datasets/{id}/uploads as the member's data steward, then reads the upload (GET) until it leaves the queue. */
export async function uploadCsv(world: World, member: Member, datasetId: string, csv: string): Promise<{ id: string; status: string; rowsAccepted: number }> {
  const steward = member.user('data_steward');
  const res = await world.as(steward.token).post(`/api/v1/datasets/${datasetId}/uploads`).set('Content-Type', 'text/csv').send(csv);
  expectStatus(res, 202, 'upload');
  for (let i = 0; i < 600; i++) {
    const u = await world.as(steward.token).get(`/api/v1/datasets/${datasetId}/uploads/${res.body.id}`);
    expectStatus(u, 200, 'upload status');
    if (u.body.status === 'succeeded' || u.body.status === 'failed') return { id: res.body.id, ...u.body };
    await sleep(100);
  }
  throw new Error('upload still running after 60 s');
}

async function declareAndLoad(world: World, member: Member, name: string, spec: { description: string; columns: readonly object[] }, csv: string, rows: number) {
  const dataset = await world.createDataset(member, { name, description: spec.description, columns: spec.columns as never });
  const upload = await uploadCsv(world, member, dataset.id, csv);
  if (upload.status !== 'succeeded' || upload.rowsAccepted !== rows) throw new Error(`load of ${name}: ${JSON.stringify(upload)}`);
  return { dataset, uploadId: upload.id };
}

/** The members, a neutral committee, and the three datasets loaded from the generated world. */
export async function buildFederation(world: World, data: GeneratedWorld): Promise<Federation> {
  const lab = await world.createMember('academia', ['researcher', 'researcher']);
  const hospital = await world.createMember('health', ['data_steward']);
  const social = await world.createMember('public_institutions', ['data_steward']);
  const insee = await world.createMember('public_institutions', ['data_steward']);
  const outsider = await world.createMember('private_sector', ['researcher', 'data_steward']);
  const committee = await world.appointCommittee(3);
  const p = await declareAndLoad(world, hospital, 'patients', HOSPITAL_DATASET, toCsv<HospitalRow>(['nationalId', 'commune', 'age', 'icuDays', 'covidPositive'], data.hospital), data.hospital.length);
  const h = await declareAndLoad(world, social, 'households', SOCIAL_DATASET, toCsv<SocialRow>(['nationalId', 'incomeBand'], data.social), data.social.length);
  const c = await declareAndLoad(world, insee, 'communes', COMMUNES_DATASET, toCsv<CommuneRow>(['code', 'population'], data.communes), data.communes.length);
  return {
    world,
    lab,
    hospital,
    social,
    insee,
    outsider,
    committee,
    patients: p.dataset,
    households: h.dataset,
    communes: c.dataset,
    uploads: { patients: p.uploadId, households: h.uploadId, communes: c.uploadId },
  };
}

export interface DataplaneUseCaseOptions {
  /** Conditions of the committee's approving votes (merged by the platform, strictest wins). */
  conditions?: Record<string, unknown>;
  /** Terms patches per provider, applied by the provider's org_admin before anyone signs. */
  patches?: { provider: Member; terms: Record<string, unknown> }[];
  /** Leave out the reference dataset. */
  withoutReference?: boolean;
}

/** A use case of the lab over the three datasets, approved, tightened as asked, signed by all: `active`. */
export async function activeDataplaneUseCase(fed: Federation, options: DataplaneUseCaseOptions = {}): Promise<Json> {
  const { world } = fed;
  const providers = options.withoutReference ? [fed.hospital, fed.social] : [fed.hospital, fed.social, fed.insee];
  const datasets = options.withoutReference ? [fed.patients, fed.households] : [fed.patients, fed.households, fed.communes];
  const trusted = await world.trustedUseCase({
    requester: fed.lab,
    providers,
    datasets,
    committee: fed.committee,
    conditions: options.conditions ? fed.committee.map(() => options.conditions!) : undefined,
  });
  for (const patch of options.patches ?? []) {
    const contract = await contractOf(world, trusted.useCase.id, patch.provider.id);
    const res = await world.as(patch.provider.admin.token).patch(`/api/v1/contracts/${contract.id}`).send({ terms: patch.terms });
    expectStatus(res, 200, `terms patch by ${patch.provider.name}`);
  }
  const useCase = await signAllContracts(world, trusted);
  if (useCase.status !== 'active') throw new Error(`expected an active use case, got ${useCase.status}`);
  return useCase;
}

/** Every contract of a use case (admin view). */
export const contractsOf = (fed: Federation, useCaseId: string) => listContracts(fed.world, useCaseId);

/** The lab's researcher on the team (the first researcher of the lab). */
export const researcherOf = (fed: Federation) => fed.lab.user('researcher');

/** POST /use-cases/{id}/computations as `user` (the team's researcher by default). */
export function submitComputation(fed: Federation, useCaseId: string, query: unknown, options: { user?: TestUser; idempotencyKey?: string } = {}) {
  const req = fed.world.as((options.user ?? researcherOf(fed)).token).post(`/api/v1/use-cases/${useCaseId}/computations`);
  if (options.idempotencyKey !== undefined) req.set('Idempotency-Key', options.idempotencyKey);
  return req.send({ query });
}

/** Polls GET /computations/{id} until it leaves queued/running. */
export async function awaitComputation(fed: Federation, id: string, user: TestUser = researcherOf(fed), timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fed.world.as(user.token).get(`/api/v1/computations/${id}`);
    expectStatus(res, 200, 'computation');
    if (!['queued', 'running'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`computation ${id} still ${res.body.status}`);
    await sleep(150);
  }
}

/** Submits (expecting 202) and waits for the outcome. */
export async function runComputation(fed: Federation, useCaseId: string, query: unknown): Promise<Json> {
  const res = await submitComputation(fed, useCaseId, query);
  expectStatus(res, 202, 'computation submission');
  return awaitComputation(fed, res.body.id);
}

/** GET /use-cases/{id}/budget as the team's researcher. */
export async function budgetOf(fed: Federation, useCaseId: string): Promise<Json> {
  const res = await fed.world.as(researcherOf(fed).token).get(`/api/v1/use-cases/${useCaseId}/budget`);
  expectStatus(res, 200, 'budget');
  return res.body;
}

/** The query's datasets: `h` patients, `s` households, `r` communes. */
export function datasetsOf(fed: Federation, withReference = false) {
  return [
    { datasetId: fed.patients.id, as: 'h' },
    { datasetId: fed.households.id, as: 's' },
    ...(withReference ? [{ datasetId: fed.communes.id, as: 'r' }] : []),
  ];
}
export const REFERENCE_JOIN = [{ left: 'h.commune', right: 'r.code' }];

/**
 * A worker-only application on a platform's database and queue prefix, as
 * `npm run start:worker` boots it: for suites that start the platform without workers.
 */
export async function startWorkerFor(platform: TestPlatform): Promise<INestApplicationContext> {
  @Module({ imports: [PlatformModule.forRoot(platform.config), WorkerModule] })
  class WorkerOnlyRoot {}
  const moduleRef = await Test.createTestingModule({ imports: [WorkerOnlyRoot] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  await app.init();
  return app;
}
