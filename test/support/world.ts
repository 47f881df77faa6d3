import type { ColumnDescriptor } from '@cadre/datasets';
import { randomBytes } from 'node:crypto';
import { DatasetsService } from '@cadre/datasets';
import { clientAddress } from './identity';
import { ADMIN, TestPlatform } from './platform';

/**
 * A trust framework built over HTTP, one line per step: members with their people,
 * a published charter they adhere to, an ethics committee, datasets and use cases
 * taken through review. Every helper goes through the public API (as a client would)
 * and throws with the answer's body when a step is refused, so a broken fixture reads
 * as the refusal, not as a later mysterious 404.
 *
 *   const world = new World(platform);
 *   const hospital = await world.createMember('health', ['researcher', 'data_steward']);
 *   const committee = await world.appointCommittee(3);
 *   const { useCase } = await world.trustedUseCase({ requester: hospital, providers: [social] });
 */

export type College = 'local_authorities' | 'public_institutions' | 'academia' | 'health' | 'private_sector';
export type OrgRole = 'org_admin' | 'data_steward' | 'researcher';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  organisationId: string;
  roles: OrgRole[];
  platformRoles: string[];
  /** A fresh access token (logged in after every role change). */
  token: string;
}

export interface TestOrganisation {
  id: string;
  name: string;
  college: string;
}

/** An organisation with its org_admin and one user per requested role. */
export interface Member extends TestOrganisation {
  admin: TestUser;
  users: TestUser[];
  /** The first user holding `role` (throws if the member was created without it). */
  user(role: OrgRole): TestUser;
}

/** A column as the catalogue declares it. */
export type ColumnSpec = ColumnDescriptor;

export interface TestDataset {
  id: string;
  name: string;
  organisationId: string;
  columns: ColumnSpec[];
}

/** A small person-level dataset: a linkage key and four requestable columns. */
export const PERSON_COLUMNS: ColumnSpec[] = [
  { name: 'nir', type: 'text', role: 'linkage_key' },
  { name: 'age', type: 'integer', role: 'quasi_identifier', min: 0, max: 120 },
  { name: 'sex', type: 'category', role: 'quasi_identifier', categories: ['F', 'M'] },
  { name: 'iris', type: 'text', role: 'quasi_identifier' },
  { name: 'icuDays', type: 'integer', role: 'sensitive', min: 0, max: 365 },
];

export interface UseCaseDraft {
  title?: string;
  purpose?: string;
  publicInterest?: string;
  requestedDatasets?: { datasetId: string; columns: string[] }[];
  teamUserIds?: string[];
  startsAt?: string;
  endsAt?: string;
}

export interface Vote {
  decision: 'approve' | 'reject' | 'request_changes';
  comment?: string;
  conditions?: Record<string, unknown>;
}

export interface TrustedUseCase {
  useCase: any;
  requester: Member;
  providers: Member[];
  datasets: TestDataset[];
  committee: TestUser[];
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const DAY = 24 * 3600 * 1000;

function expectStatus(res: { status: number; body: unknown; text?: string }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body ?? res.text)}`);
}

export class World {
  private admin?: string;
  private committee: TestUser[] = [];

  constructor(readonly platform: TestPlatform) {}

  /** An authenticated request builder: `world.as(token).post('/api/v1/…')`. */
  as(token: string) {
    const http = this.platform.http;
    const auth = (req: ReturnType<ReturnType<typeof http>['get']>) => req.set('Authorization', `Bearer ${token}`);
    return {
      get: (url: string) => auth(http().get(url)),
      post: (url: string) => auth(http().post(url)),
      patch: (url: string) => auth(http().patch(url)),
      put: (url: string) => auth(http().put(url)),
      delete: (url: string) => auth(http().delete(url)),
    };
  }

  /** POST /auth/token → access token (each call from its own client address: the endpoint is rate-limited). */
  async login(email: string, password: string): Promise<string> {
    const res = await this.platform.http().post('/api/v1/auth/token').set('X-Forwarded-For', clientAddress()).send({ email, password });
    expectStatus(res, 200, `login of ${email}`);
    return res.body.accessToken;
  }

  /** The bootstrap platform admin's token (cached). */
  async adminToken(): Promise<string> {
    this.admin ??= await this.login(ADMIN.email, ADMIN.password);
    return this.admin;
  }

  async createOrganisation(token: string, input: { name?: string; college: College; siren?: string }): Promise<TestOrganisation> {
    const res = await this.as(token).post('/api/v1/organisations').send({ ...input, name: input.name ?? unique(input.college) });
    expectStatus(res, 201, 'organisation creation');
    return { id: res.body.id, name: res.body.name, college: res.body.college };
  }

  /** Creates a user of `organisationId` as `token` (an admin), gives platform roles if asked, and logs them in. */
  async createUser(token: string, organisationId: string, input: { roles: OrgRole[]; platformRoles?: string[]; email?: string }): Promise<TestUser> {
    const email = input.email ?? `${unique('user')}@cadre.test`;
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const res = await this.as(token)
      .post(`/api/v1/organisations/${organisationId}/users`)
      .send({ email, password, displayName: email.split('@')[0], roles: input.roles });
    expectStatus(res, 201, 'user creation');
    const user: TestUser = { id: res.body.id, email, password, organisationId, roles: input.roles, platformRoles: [], token: '' };
    if (input.platformRoles?.length) await this.setPlatformRoles(user, input.platformRoles);
    user.token = await this.login(email, password);
    return user;
  }

  /** PUT /users/{id}/platform-roles as the admin, then a fresh token for the user. */
  async setPlatformRoles(user: TestUser, platformRoles: string[]): Promise<TestUser> {
    const res = await this.as(await this.adminToken()).put(`/api/v1/users/${user.id}/platform-roles`).send({ platformRoles });
    expectStatus(res, 200, 'platform roles');
    user.platformRoles = platformRoles;
    user.token = await this.login(user.email, user.password);
    return user;
  }

  /** The current charter, or null when none is published. */
  async currentCharter(): Promise<{ id: string; version: string } | null> {
    const res = await this.platform.http().get('/api/v1/register/charter');
    if (res.status === 404) return null;
    expectStatus(res, 200, 'current charter');
    return res.body;
  }

  /** Drafts and publishes a new charter version as the admin (the previous one is superseded). */
  async publishCharter(version = unique('v')): Promise<{ id: string; version: string }> {
    const admin = await this.adminToken();
    const draft = await this.as(admin)
      .post('/api/v1/charters')
      .send({
        version,
        title: `Charte ${version}`,
        principles: [
          { code: 'P1', title: 'Intérêt public', text: 'Every use serves a public interest stated in advance.' },
          { code: 'P2', title: 'Non-stigmatisation', text: 'No output may single out a person or a small community.' },
        ],
      });
    expectStatus(draft, 201, 'charter draft');
    const published = await this.as(admin).post(`/api/v1/charters/${draft.body.id}/publish`);
    expectStatus(published, 200, 'charter publication');
    return published.body;
  }

  /** `member` adheres to the current charter (as its org_admin); returns the signed adherence. */
  async adhere(member: { id: string; admin: TestUser }, charterId?: string) {
    const id = charterId ?? (await this.currentCharter())?.id;
    if (!id) throw new Error('no current charter to adhere to');
    const res = await this.as(member.admin.token).post(`/api/v1/organisations/${member.id}/adherences`).send({ charterId: id });
    expectStatus(res, 201, 'adherence');
    return res.body;
  }

  /** Publishes a new charter version and makes every given member adhere to it. */
  async publishCharterAndAdhere(members: { id: string; admin: TestUser }[], version?: string) {
    const charter = await this.publishCharter(version);
    for (const m of members) await this.adhere(m, charter.id);
    return charter;
  }

  /**
   * A member in one call: the organisation, its org_admin, one user per role in
   * `roles`, and an adherence to the current charter (published first if there is
   * none). `adhere: false` leaves it outside the charter.
   */
  async createMember(college: College, roles: OrgRole[] = [], options: { name?: string; adhere?: boolean } = {}): Promise<Member> {
    const admin = await this.adminToken();
    const org = await this.createOrganisation(admin, { name: options.name, college });
    const orgAdmin = await this.createUser(admin, org.id, { roles: ['org_admin'] });
    // Adhere first: a non-adhering organisation's org_admin may not manage users (422). Without
    // adherence, the platform admin creates the member's people.
    if (options.adhere !== false) {
      const charter = (await this.currentCharter()) ?? (await this.publishCharter());
      await this.adhere({ id: org.id, admin: orgAdmin }, charter.id);
    }
    const users: TestUser[] = [];
    for (const role of roles) users.push(await this.createUser(options.adhere !== false ? orgAdmin.token : admin, org.id, { roles: [role] }));
    const member: Member = {
      ...org,
      admin: orgAdmin,
      users,
      user(role: OrgRole) {
        const found = role === 'org_admin' ? orgAdmin : users.find((u) => u.roles.includes(role));
        if (!found) throw new Error(`member ${org.name} has no ${role}`);
        return found;
      },
    };
    return member;
  }

  /**
   * `n` ethics committee members. Without `orgs` they belong to one fresh neutral
   * organisation (never a party, so never recused); with `orgs`, one per organisation
   * in turn (to build recusals).
   */
  async appointCommittee(n: number, orgs?: { id: string }[]): Promise<TestUser[]> {
    const admin = await this.adminToken();
    // The home organisation adheres to the charter: a non-adhering organisation's users may not vote (422).
    const homes = orgs?.length ? orgs : [await this.createMember('public_institutions', [], { name: unique('ethics-committee') })];
    const appointed: TestUser[] = [];
    for (let i = 0; i < n; i++) {
      appointed.push(await this.createUser(admin, homes[i % homes.length].id, { roles: [], platformRoles: ['ethics_committee'] }));
    }
    this.committee.push(...appointed);
    return appointed;
  }

  /** Declares a dataset as one of the member's data stewards. */
  async createDataset(member: Member, input: { name?: string; columns?: ColumnSpec[]; description?: string } = {}): Promise<TestDataset> {
    const steward = member.user('data_steward');
    const body = { name: input.name ?? unique('dataset'), description: input.description ?? 'test dataset', columns: input.columns ?? PERSON_COLUMNS };
    const res = await this.as(steward.token).post('/api/v1/datasets').send(body);
    if (res.status === 404 && res.body?.code === 'not_found' && /Cannot POST/.test(res.body?.detail ?? '')) {
      // The datasets routes are not mounted in this build: declare it through the catalogue service.
      const service = this.platform.app.get(DatasetsService, { strict: false });
      const view = await service.create({ id: steward.id, organisationId: member.id }, body as never);
      return { id: view.id, name: view.name, organisationId: view.organisationId, columns: body.columns };
    }
    expectStatus(res, 201, 'dataset creation');
    return { id: res.body.id, name: res.body.name, organisationId: res.body.organisationId, columns: body.columns };
  }

  /** POST /use-cases as `requester` (a researcher or org_admin): a draft with sensible defaults. */
  async draftUseCase(requester: TestUser, draft: UseCaseDraft & { requestedDatasets: { datasetId: string; columns: string[] }[] }) {
    const now = Date.now();
    const res = await this.as(requester.token)
      .post('/api/v1/use-cases')
      .send({
        title: unique('Use case'),
        purpose: 'Map COVID risk by IRIS zone without stigmatising any neighbourhood.',
        publicInterest: 'Target prevention where it is most needed.',
        teamUserIds: [requester.id],
        startsAt: new Date(now - DAY).toISOString(),
        endsAt: new Date(now + 365 * DAY).toISOString(),
        ...draft,
      });
    expectStatus(res, 201, 'use case creation');
    return res.body;
  }

  async submitUseCase(requester: TestUser, useCaseId: string) {
    const res = await this.as(requester.token).post(`/api/v1/use-cases/${useCaseId}/submit`);
    expectStatus(res, 200, 'use case submission');
    return res.body;
  }

  /** Casts one vote per committee member, in order; returns the use case after the last one. */
  async castVotes(useCaseId: string, committee: TestUser[], votes: Vote[]) {
    for (let i = 0; i < votes.length; i++) {
      const res = await this.as(committee[i].token).post(`/api/v1/use-cases/${useCaseId}/votes`).send(votes[i]);
      expectStatus(res, 201, `vote ${i + 1}`);
    }
    const res = await this.as(committee[0].token).get(`/api/v1/use-cases/${useCaseId}`);
    expectStatus(res, 200, 'use case after votes');
    return res.body;
  }

  /**
   * A use case taken from draft to `approved` by unanimous committee votes: a requester
   * (health, with a researcher), one provider member with a dataset (unless given),
   * a committee of `quorum` members. Contract signing is left to the contracts fixtures.
   */
  async trustedUseCase(
    options: {
      requester?: Member;
      providers?: Member[];
      datasets?: TestDataset[];
      committee?: TestUser[];
      quorum?: number;
      conditions?: Record<string, unknown>[];
      draft?: UseCaseDraft;
    } = {},
  ): Promise<TrustedUseCase> {
    const requester = options.requester ?? (await this.createMember('health', ['researcher']));
    const providers = options.providers ?? [await this.createMember('public_institutions', ['data_steward'])];
    const datasets = options.datasets ?? (await Promise.all(providers.map((p) => this.createDataset(p))));
    const quorum = options.quorum ?? 3;
    const committee = options.committee ?? (this.committee.length >= quorum ? this.committee.slice(0, quorum) : await this.appointCommittee(quorum));
    const researcher = requester.user('researcher');
    const draft = await this.draftUseCase(researcher, {
      requestedDatasets: datasets.map((d) => ({ datasetId: d.id, columns: d.columns.filter((c) => c.role !== 'linkage_key').map((c) => c.name) })),
      ...options.draft,
    });
    await this.submitUseCase(researcher, draft.id);
    const useCase = await this.castVotes(
      draft.id,
      committee,
      committee.map((_, i) => ({ decision: 'approve' as const, comment: 'Approved', ...(options.conditions?.[i] ? { conditions: options.conditions[i] } : {}) })),
    );
    if (useCase.status !== 'approved') throw new Error(`trustedUseCase: expected approved, got ${useCase.status}`);
    return { useCase, requester, providers, datasets, committee };
  }
}

/** Shorthand: `const world = createWorld(platform)`. */
export function createWorld(platform: TestPlatform): World {
  return new World(platform);
}
