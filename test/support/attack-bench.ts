import { seededRandom } from '../../scripts/demo/synthetic';
import { signAllContracts } from './contracts';
import { uploadCsv } from './dataplane';
import { Cell, toCsv } from './datasets';
import type { TestPlatform } from './platform';
import { ColumnSpec, Member, TestDataset, TestUser, World } from './world';

/**
 * A small attack bench over HTTP: one research lab (the attacker's team), one provider
 * whose datasets hold planted victims, a neutral committee, and helpers to load versions
 * and run computations as the lab's researcher. Built on the World and contract fixtures;
 * the data are generated here from a seed, so every expected number comes from the rows.
 *
 *   const bench = await attackBench(platform);
 *   const ds = await bench.dataset('patients', PATIENT_COLUMNS, rows);
 *   const uc = await bench.activeUseCase([ds], { minCellSize: 15 });
 *   const c = await bench.run(uc.id, query);
 */

 
export type Json = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectStatus(res: { status: number; body: unknown }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

/** Communes of the attack worlds: "C000", "C001", … (a declared category domain). */
export const communeCode = (i: number) => `C${String(i).padStart(3, '0')}`;

/** A person-level hospital extract: every group-by column has a declared domain except `postcode`. */
export function patientColumns(communes: string[]): ColumnSpec[] {
  return [
    { name: 'personId', type: 'text', role: 'linkage_key' },
    { name: 'commune', type: 'category', role: 'quasi_identifier', categories: communes },
    { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 110 },
    { name: 'incomeBand', type: 'category', role: 'sensitive', categories: ['low', 'middle', 'high'] },
    { name: 'covid', type: 'boolean', role: 'sensitive' },
    { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 60 },
    { name: 'postcode', type: 'text', role: 'attribute' },
  ] as ColumnSpec[];
}
export const PATIENT_HEADER = ['personId', 'commune', 'age', 'incomeBand', 'covid', 'icuDays', 'postcode'] as const;

export interface Patient {
  personId: string;
  commune: string;
  age: number;
  incomeBand: 'low' | 'middle' | 'high';
  covid: boolean;
  icuDays: number;
  postcode: string;
}

/** A seeded source of ordinary patients (never 90 or older, ICU days spread over 0–20). */
export function patientFactory(seed: number) {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  let next = 0;
  const id = () => `P${seed}-${String(next++).padStart(6, '0')}`;
  return {
    random,
    int,
    /** A fresh person id (distinct within the factory). */
    id,
    patient(commune: string, overrides: Partial<Patient> = {}): Patient {
      return {
        personId: id(),
        commune,
        age: int(18, 89),
        incomeBand: (['low', 'middle', 'high'] as const)[int(0, 2)],
        covid: random() < 0.3,
        icuDays: int(0, 20),
        postcode: `34${String(int(0, 999)).padStart(3, '0')}`,
        ...overrides,
      };
    },
  };
}

export const patientsCsv = (rows: Patient[]) => toCsv([...PATIENT_HEADER], rows as unknown as Record<string, Cell>[]);

export interface AttackBench {
  platform: TestPlatform;
  world: World;
  lab: Member;
  provider: Member;
  committee: TestUser[];
  researcher: TestUser;
  /** Declares a dataset of the provider and loads its first version. */
  dataset(name: string, columns: ColumnSpec[], csv: string, rows: number): Promise<TestDataset>;
  /** Uploads a new full version (CSV) of a dataset; throws unless all `rows` are accepted. */
  loadVersion(dataset: TestDataset, csv: string, rows: number): Promise<void>;
  /** GET /datasets/{id} as the lab's researcher (metadata). */
  describe(dataset: TestDataset): Promise<Json>;
  /** A use case of the lab over `datasets`, approved with `conditions` by every committee member, every contract signed. */
  activeUseCase(datasets: TestDataset[], conditions?: Record<string, unknown>): Promise<Json>;
  /** POST …/computations as the lab's researcher (the raw answer). */
  submit(useCaseId: string, query: unknown): Promise<{ status: number; body: Json }>;
  /** Polls GET /computations/{id} until it leaves queued/running. */
  await(computationId: string, timeoutMs?: number): Promise<Json>;
  /** Submits (expecting 202) and waits for the outcome. */
  run(useCaseId: string, query: unknown): Promise<Json>;
}

/** The bench's members (a lab with a researcher, a provider with a data steward) and a committee of three. */
export async function attackBench(platform: TestPlatform, world = new World(platform)): Promise<AttackBench> {
  const lab = await world.createMember('academia', ['researcher']);
  const provider = await world.createMember('health', ['data_steward']);
  const committee = await world.appointCommittee(3);
  const researcher = lab.user('researcher');
  const bench: AttackBench = {
    platform,
    world,
    lab,
    provider,
    committee,
    researcher,
    async loadVersion(dataset, csv, rows) {
      const upload = await uploadCsv(world, provider, dataset.id, csv);
      if (upload.status !== 'succeeded' || upload.rowsAccepted !== rows) throw new Error(`load of ${dataset.name}: ${JSON.stringify(upload)}`);
    },
    async dataset(name, columns, csv, rows) {
      const dataset = await world.createDataset(provider, { name, columns, description: `attack bench: ${name}` });
      await bench.loadVersion(dataset, csv, rows);
      return dataset;
    },
    async describe(dataset) {
      const res = await world.as(researcher.token).get(`/api/v1/datasets/${dataset.id}`);
      expectStatus(res, 200, 'dataset metadata');
      return res.body;
    },
    async activeUseCase(datasets, conditions) {
      const trusted = await world.trustedUseCase({
        requester: lab,
        providers: [provider],
        datasets,
        committee,
        conditions: conditions ? committee.map(() => conditions) : undefined,
      });
      const useCase = await signAllContracts(world, trusted);
      if (useCase.status !== 'active') throw new Error(`expected an active use case, got ${useCase.status}`);
      return useCase;
    },
    async submit(useCaseId, query) {
      const res = await world.as(researcher.token).post(`/api/v1/use-cases/${useCaseId}/computations`).send({ query });
      return { status: res.status, body: res.body };
    },
    async await(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await world.as(researcher.token).get(`/api/v1/computations/${id}`);
        expectStatus(res, 200, 'computation');
        if (!['queued', 'running'].includes(res.body.status)) return res.body;
        if (Date.now() > deadline) throw new Error(`computation ${id} still ${res.body.status}`);
        await sleep(150);
      }
    },
    async run(useCaseId, query) {
      const res = await bench.submit(useCaseId, query);
      expectStatus(res, 202, 'computation submission');
      return bench.await(res.body.id);
    },
  };
  return bench;
}

/** The released row of a result whose group-by labels equal `labels` (compared as strings). */
export function rowOf(result: Json, labels: Record<string, string | number | boolean>): Json {
  return result.rows.find((r: Json) => Object.entries(labels).every(([k, v]) => String(r[k]) === String(v)));
}
