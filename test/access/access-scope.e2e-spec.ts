import fc from 'fast-check';
import { Client } from 'pg';
import { subject } from '@casl/ability';
import { accessCondition, defineAbilityFor } from '@cadre/access';
import type { Actor, OrgRole, PlatformRole } from '@cadre/identity';

/** The SQL scope must select exactly the records ability.can() allows: checked on real PostgreSQL. */
const PG = `${process.env.CADRE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432'}/postgres`;
const ORGS = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];
const USERS = ['00000000-0000-4000-8000-0000000000f1', '00000000-0000-4000-8000-0000000000f2', '00000000-0000-4000-8000-0000000000f3'];
const STATUSES = ['draft', 'under_review', 'approved', 'active'];

const arbActor = fc.record({
  id: fc.constantFrom(...USERS),
  organisationId: fc.constantFrom(...ORGS),
  roles: fc.subarray<OrgRole>(['org_admin', 'data_steward', 'researcher']),
  platformRoles: fc.subarray<PlatformRole>(['platform_admin', 'ethics_committee']),
});
const arbUseCase = fc.record({
  organisationId: fc.constantFrom(...ORGS),
  providerOrganisationIds: fc.subarray(ORGS),
  teamUserIds: fc.subarray(USERS),
  status: fc.constantFrom(...STATUSES),
});

function toPositional(where: string, parameters: Record<string, unknown>): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = where.replace(/:(acl_\w+)/g, (_, name: string) => {
    values.push(parameters[name]);
    return `$${values.length}`;
  });
  return { text, values };
}

describe('accessCondition (CASL rules → SQL WHERE)', () => {
  let pg: Client;
  beforeAll(async () => {
    pg = new Client({ connectionString: PG });
    await pg.connect();
  });
  afterAll(() => pg.end());

  it('selects exactly the use cases ability.can("read") allows, for any actor', async () => {
    await fc.assert(
      fc.asyncProperty(arbActor, fc.array(arbUseCase, { minLength: 1, maxLength: 12 }), async (who, records) => {
        const actor: Actor = { ...who, email: 'x@test', displayName: 'x' };
        const ability = defineAbilityFor(actor);
        const scope = accessCondition(ability, 'read', 'UseCase', {
          organisationId: 'uc.requester',
          providerOrganisationIds: { contains: (p) => `EXISTS (SELECT 1 FROM unnest(uc.providers) pr WHERE pr = ${p})` },
          teamUserIds: { array: 'uc.team' },
          status: 'uc.status',
        });
        const values: unknown[] = [JSON.stringify(records.map((r, i) => ({ ...r, i })))];
        const { text, values: scoped } = toPositional(scope.where, scope.parameters);
        const shifted = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
        const { rows } = await pg.query(
          `WITH uc AS (
             SELECT (r->>'i')::int AS i, (r->>'organisationId')::uuid AS requester, r->>'status' AS status,
                    ARRAY(SELECT jsonb_array_elements_text(r->'providerOrganisationIds'))::uuid[] AS providers,
                    ARRAY(SELECT jsonb_array_elements_text(r->'teamUserIds'))::uuid[] AS team
               FROM jsonb_array_elements($1::jsonb) r)
           SELECT i FROM uc WHERE ${shifted} ORDER BY i`,
          [...values, ...scoped],
        );
        const expected = records.map((r, i) => (ability.can('read', subject('UseCase', { ...r })) ? i : -1)).filter((i) => i >= 0);
        expect(rows.map((r: { i: number }) => r.i)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('selects exactly the contracts ability.can("read") allows, for any actor (the contracts list scope)', async () => {
    const arbContract = fc.record({ providerOrganisationId: fc.constantFrom(...ORGS), requesterOrganisationId: fc.constantFrom(...ORGS) });
    await fc.assert(
      fc.asyncProperty(arbActor, fc.array(arbContract, { minLength: 1, maxLength: 12 }), async (who, records) => {
        const ability = defineAbilityFor({ ...who, email: 'x@test', displayName: 'x' });
        const scope = accessCondition(ability, 'read', 'Contract', { providerOrganisationId: 'c.provider', requesterOrganisationId: 'c.requester' });
        const { text, values: scoped } = toPositional(scope.where, scope.parameters);
        const shifted = text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
        const { rows } = await pg.query(
          `WITH c AS (
             SELECT (r->>'i')::int AS i, (r->>'providerOrganisationId')::uuid AS provider, (r->>'requesterOrganisationId')::uuid AS requester
               FROM jsonb_array_elements($1::jsonb) r)
           SELECT i FROM c WHERE ${shifted} ORDER BY i`,
          [JSON.stringify(records.map((r, i) => ({ ...r, i }))), ...scoped],
        );
        const expected = records.map((r, i) => (ability.can('read', subject('Contract', { ...r })) ? i : -1)).filter((i) => i >= 0);
        expect(rows.map((r: { i: number }) => r.i)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('is FALSE without any grant and TRUE for an unconditional one', () => {
    const researcher = defineAbilityFor({ id: USERS[0], email: 'r@t', displayName: 'r', organisationId: ORGS[0], roles: ['researcher'], platformRoles: [] });
    expect(accessCondition(researcher, 'read', 'AuditEvent', { organisationIds: { array: 'e.organisation_ids' } }).where).toBe('FALSE');
    const admin = defineAbilityFor({ id: USERS[1], email: 'a@t', displayName: 'a', organisationId: ORGS[1], roles: [], platformRoles: ['platform_admin'] });
    expect(accessCondition(admin, 'read', 'AuditEvent', { organisationIds: { array: 'e.organisation_ids' } }).where).toBe('TRUE');
  });

  it('fails closed when a rule reads a field the caller did not map', () => {
    const orgAdmin = defineAbilityFor({ id: USERS[0], email: 'o@t', displayName: 'o', organisationId: ORGS[0], roles: ['org_admin'], platformRoles: [] });
    expect(() => accessCondition(orgAdmin, 'read', 'UseCase', { organisationId: 'uc.requester' })).toThrow(/no SQL for UseCase/);
  });
});
