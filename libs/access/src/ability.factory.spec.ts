import { subject } from '@casl/ability';
import type { Actor } from '@cadre/common';
import { AbilityFactory, defineAbilityFor } from './ability.factory';
import type { Action, SubjectType } from './subjects';

const ORG = 'org-a';
const OTHER = 'org-b';
const THIRD = 'org-c';

const actor = (over: Partial<Actor>): Actor => ({
  id: 'me',
  email: 'me@a.test',
  displayName: 'Me',
  organisationId: ORG,
  roles: [],
  platformRoles: [],
  ...over,
});

const ADMIN_A = actor({ roles: ['org_admin'] });
const STEWARD_A = actor({ roles: ['data_steward'] });
const RESEARCHER_A = actor({ roles: ['researcher'] });
const PLATFORM_ADMIN = actor({ id: 'operator-admin', organisationId: 'operator', roles: ['org_admin'], platformRoles: ['platform_admin'] });
const COMMITTEE = actor({ id: 'committee-c', organisationId: THIRD, platformRoles: ['ethics_committee'] });
const COMMITTEE_OF_A = actor({ id: 'committee-a', platformRoles: ['ethics_committee'] });
const COMMITTEE_OF_PROVIDER = actor({ id: 'committee-b', organisationId: OTHER, platformRoles: ['ethics_committee'] });
const RESEARCHER_B = actor({ id: 'someone', organisationId: OTHER, roles: ['researcher'] });
const RESEARCHER_C = actor({ id: 'outsider', organisationId: THIRD, roles: ['researcher'] });
const STEWARD_B = actor({ id: 'steward-b', organisationId: OTHER, roles: ['data_steward'] });

// A use case requested by A, using data of B, with "me" on the team.
const useCase = (status: string) => ({ organisationId: ORG, providerOrganisationIds: [OTHER], teamUserIds: ['me'], status });
const contract = { providerOrganisationId: OTHER, requesterOrganisationId: ORG };
const computation = { teamUserIds: ['me'], providerOrganisationIds: [OTHER] };

type Row = [string, Actor, Action, SubjectType, object | null, boolean];

const table: Row[] = [
  // Organisations and users
  ['anyone reads organisations', RESEARCHER_C, 'read', 'Organisation', { id: ORG }, true],
  ['platform admin admits organisations', PLATFORM_ADMIN, 'create', 'Organisation', null, true],
  ['org admin cannot admit organisations', ADMIN_A, 'create', 'Organisation', null, false],
  ['org admin suspends nothing', ADMIN_A, 'update', 'Organisation', { id: ORG }, false],
  ['org admin creates users of its org', ADMIN_A, 'create', 'User', { id: '', organisationId: ORG }, true],
  ['org admin cannot create users elsewhere', ADMIN_A, 'create', 'User', { id: '', organisationId: OTHER }, false],
  ['researcher cannot create users', RESEARCHER_A, 'create', 'User', { id: '', organisationId: ORG }, false],
  ['platform admin creates users anywhere', PLATFORM_ADMIN, 'create', 'User', { id: '', organisationId: OTHER }, true],
  ['a user reads itself', RESEARCHER_A, 'read', 'User', { id: 'me', organisationId: ORG }, true],
  ['a researcher cannot read colleagues', RESEARCHER_A, 'read', 'User', { id: 'x', organisationId: ORG }, false],
  ['org admin reads its users', ADMIN_A, 'read', 'User', { id: 'x', organisationId: ORG }, true],
  ['only platform admin sets platform roles', ADMIN_A, 'update', 'PlatformRoles', null, false],
  ['platform admin sets platform roles', PLATFORM_ADMIN, 'update', 'PlatformRoles', null, true],
  ['org admin changes roles of, or deactivates, users of its org', ADMIN_A, 'update', 'User', { id: 'x', organisationId: ORG }, true],
  ['org admin cannot change users of another org', ADMIN_A, 'update', 'User', { id: 'x', organisationId: OTHER }, false],
  ['a researcher cannot change users', RESEARCHER_A, 'update', 'User', { id: 'me', organisationId: ORG }, false],
  // Charter, adherences, keys
  ['platform admin publishes the charter', PLATFORM_ADMIN, 'publish', 'Charter', null, true],
  ['org admin cannot publish the charter', ADMIN_A, 'publish', 'Charter', null, false],
  ['org admin adheres for its org', ADMIN_A, 'create', 'Adherence', { organisationId: ORG }, true],
  ['org admin cannot adhere for another org', ADMIN_A, 'create', 'Adherence', { organisationId: OTHER }, false],
  ['steward cannot adhere', STEWARD_A, 'create', 'Adherence', { organisationId: ORG }, false],
  ['org admin registers its key', ADMIN_A, 'create', 'OrganisationKey', { organisationId: ORG }, true],
  ['org admin cannot register a key for another org', ADMIN_A, 'create', 'OrganisationKey', { organisationId: OTHER }, false],
  // Datasets
  ['anyone reads the catalogue', RESEARCHER_C, 'read', 'Dataset', { organisationId: ORG }, true],
  ['steward declares datasets of its org', STEWARD_A, 'create', 'Dataset', { organisationId: ORG }, true],
  ['org admin is not a steward', ADMIN_A, 'create', 'Dataset', { organisationId: ORG }, false],
  ['steward uploads to its own datasets', STEWARD_A, 'upload', 'Dataset', { organisationId: ORG }, true],
  ['steward cannot upload to another org dataset', STEWARD_B, 'upload', 'Dataset', { organisationId: ORG }, false],
  ['steward reads its uploads', STEWARD_A, 'read', 'Upload', { organisationId: ORG }, true],
  ['steward cannot read another org upload', STEWARD_B, 'read', 'Upload', { organisationId: ORG }, false],
  ['researcher cannot read uploads', RESEARCHER_A, 'read', 'Upload', { organisationId: ORG }, false],
  // Use cases
  ['researcher creates use cases', RESEARCHER_A, 'create', 'UseCase', { organisationId: ORG }, true],
  ['steward cannot create use cases', STEWARD_A, 'create', 'UseCase', { organisationId: ORG }, false],
  ['requester org reads its draft', RESEARCHER_A, 'read', 'UseCase', useCase('draft'), true],
  ['provider org reads the use case', STEWARD_B, 'read', 'UseCase', useCase('under_review'), true],
  ['outsider cannot read it', RESEARCHER_C, 'read', 'UseCase', useCase('approved'), false],
  ['committee cannot read a draft', COMMITTEE, 'read', 'UseCase', useCase('draft'), false],
  ['committee reads from submission on', COMMITTEE, 'read', 'UseCase', useCase('under_review'), true],
  ['platform admin reads use cases', PLATFORM_ADMIN, 'read', 'UseCase', useCase('draft'), true],
  ['owner org submits', ADMIN_A, 'submit', 'UseCase', useCase('draft'), true],
  ['provider cannot submit', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'submit', 'UseCase', useCase('draft'), false],
  ['committee votes', COMMITTEE, 'vote', 'UseCase', useCase('under_review'), true],
  ['committee member of the requester is recused', COMMITTEE_OF_A, 'vote', 'UseCase', useCase('under_review'), false],
  ['committee member of a provider is recused', COMMITTEE_OF_PROVIDER, 'vote', 'UseCase', useCase('under_review'), false],
  ['committee member named on the team is recused, whatever their organisation', COMMITTEE, 'vote', 'UseCase', { ...useCase('under_review'), teamUserIds: ['committee-c'] }, false],
  ['non-committee cannot vote', ADMIN_A, 'vote', 'UseCase', useCase('under_review'), false],
  ['platform admin is not the committee', PLATFORM_ADMIN, 'vote', 'UseCase', useCase('under_review'), false],
  // Contracts
  ['requester party reads the contract', RESEARCHER_A, 'read', 'Contract', contract, true],
  ['provider party reads the contract', STEWARD_B, 'read', 'Contract', contract, true],
  ['third org cannot read the contract', RESEARCHER_C, 'read', 'Contract', contract, false],
  ['committee reads contracts', COMMITTEE, 'read', 'Contract', contract, true],
  ['platform admin reads contracts', PLATFORM_ADMIN, 'read', 'Contract', contract, true],
  ['requester org admin signs', ADMIN_A, 'sign', 'Contract', contract, true],
  ['provider org admin signs', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'sign', 'Contract', contract, true],
  ['researcher cannot sign', RESEARCHER_A, 'sign', 'Contract', contract, false],
  ['provider org admin amends terms', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'update', 'Contract', contract, true],
  ['requester cannot amend terms', ADMIN_A, 'update', 'Contract', contract, false],
  ['provider org admin terminates', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'terminate', 'Contract', contract, true],
  ['requester cannot terminate', ADMIN_A, 'terminate', 'Contract', contract, false],
  ['platform admin terminates', PLATFORM_ADMIN, 'terminate', 'Contract', contract, true],
  // Computations and budgets
  ['team researcher runs', RESEARCHER_A, 'run', 'UseCase', useCase('active'), true],
  ['researcher off the team cannot run', actor({ id: 'not-on-team', roles: ['researcher'] }), 'run', 'UseCase', useCase('active'), false],
  ['an org admin on the team is not a researcher', actor({ roles: ['org_admin'] }), 'run', 'UseCase', useCase('active'), false],
  ['team reads the computation', RESEARCHER_A, 'read', 'Computation', computation, true],
  ['provider steward reads the computation', STEWARD_B, 'read', 'Computation', computation, true],
  ['provider researcher does not', RESEARCHER_B, 'read', 'Computation', computation, false],
  ['outsider cannot read the computation', RESEARCHER_C, 'read', 'Computation', computation, false],
  ['platform admin does not read results', PLATFORM_ADMIN, 'read', 'Computation', computation, false],
  // Moved from the services (issue 11): who downloads a result, who accepts a place on a team, who signs
  ['team downloads the result', RESEARCHER_A, 'download', 'Computation', computation, true],
  ['provider steward, who may release, does not download', STEWARD_B, 'download', 'Computation', computation, false],
  ['a researcher off the team does not download', RESEARCHER_B, 'download', 'Computation', computation, false],
  ['a researcher off the team does not run', RESEARCHER_B, 'create', 'Computation', computation, false],
  ['a researcher off the team does not cancel', RESEARCHER_B, 'cancel', 'Computation', computation, false],
  ['a steward of a party does not sign', STEWARD_B, 'sign', 'Contract', contract, false],
  ['the committee reads but does not sign', COMMITTEE, 'sign', 'Contract', contract, false],
  ['an org admin of a third org does not sign', actor({ organisationId: THIRD, roles: ['org_admin'] }), 'sign', 'Contract', contract, false],
  ['a named researcher accepts their own place on a team', RESEARCHER_B, 'accept', 'TeamMembership', { userId: 'someone', organisationId: OTHER }, true],
  ['a researcher does not accept for a colleague', RESEARCHER_B, 'accept', 'TeamMembership', { userId: 'colleague', organisationId: OTHER }, false],
  ['their org admin accepts for them', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'accept', 'TeamMembership', { userId: 'someone', organisationId: OTHER }, true],
  ["the requester's org admin does not accept for another org's researcher", ADMIN_A, 'accept', 'TeamMembership', { userId: 'someone', organisationId: OTHER }, false],
  ['a steward does not accept for a colleague', STEWARD_B, 'accept', 'TeamMembership', { userId: 'someone', organisationId: OTHER }, false],
  ['provider steward releases', STEWARD_B, 'release', 'Computation', computation, true],
  ['provider org admin releases', actor({ organisationId: OTHER, roles: ['org_admin'] }), 'release', 'Computation', computation, true],
  ['team cannot release its own result', RESEARCHER_A, 'release', 'Computation', computation, false],
  ['team cancels', RESEARCHER_A, 'cancel', 'Computation', computation, true],
  ['provider cannot cancel', STEWARD_B, 'cancel', 'Computation', computation, false],
  ['team reads the budget', RESEARCHER_A, 'read', 'Budget', computation, true],
  ['provider reads the budget', STEWARD_B, 'read', 'Budget', computation, true],
  ['outsider cannot read the budget', RESEARCHER_C, 'read', 'Budget', computation, false],
  // Audit
  ['platform admin reads every event', PLATFORM_ADMIN, 'read', 'AuditEvent', { organisationIds: [OTHER] }, true],
  ['org admin reads events touching its org', ADMIN_A, 'read', 'AuditEvent', { organisationIds: [OTHER, ORG] }, true],
  ['org admin cannot read others events', ADMIN_A, 'read', 'AuditEvent', { organisationIds: [OTHER] }, false],
  ['researcher cannot read audit events', RESEARCHER_A, 'read', 'AuditEvent', { organisationIds: [ORG] }, false],
  ['platform admin verifies the chain', PLATFORM_ADMIN, 'read', 'AuditChain', null, true],
  ['org admin cannot verify the chain', ADMIN_A, 'read', 'AuditChain', null, false],
  // Operations (metrics, queue dashboard)
  ['platform admin reads the operations surfaces', PLATFORM_ADMIN, 'read', 'Operations', null, true],
  ['org admin cannot read the operations surfaces', ADMIN_A, 'read', 'Operations', null, false],
  ['committee cannot read the operations surfaces', COMMITTEE, 'read', 'Operations', null, false],
];

describe('AbilityFactory rules (role × action × record)', () => {
  it.each(table)('%s', (_name, who, action, type, record, allowed) => {
    const ability = defineAbilityFor(who);
    const target = record ? subject(type, { ...record }) : type;
    expect(ability.can(action, target as never)).toBe(allowed);
  });

  it('answers "at all" questions for route guards: a conditional grant is enough', () => {
    expect(defineAbilityFor(ADMIN_A).can('create', 'User')).toBe(true);
    expect(defineAbilityFor(RESEARCHER_A).can('create', 'User')).toBe(false);
    expect(defineAbilityFor(COMMITTEE_OF_A).can('vote', 'UseCase')).toBe(true); // recusal is record-level (403 in the service)
  });

  it('grants nothing to a user without roles beyond reading public things and itself', () => {
    const nobody = defineAbilityFor(actor({ id: 'n', roles: [] }));
    for (const action of ['create', 'update', 'submit', 'vote', 'sign', 'terminate', 'release', 'cancel', 'upload', 'publish', 'run'] as Action[]) {
      for (const type of ['Organisation', 'User', 'Charter', 'Dataset', 'UseCase', 'Contract', 'Computation'] as SubjectType[]) {
        expect(nobody.can(action, type)).toBe(false);
      }
    }
  });
});

describe('AbilityFactory.createForActor (one ability per actor object)', () => {
  it('builds the rules once for an actor object, and afresh for a new one (a role change is a new actor)', () => {
    const factory = new AbilityFactory();
    const researcher = actor({ roles: ['researcher'] });
    expect(factory.createForActor(researcher)).toBe(factory.createForActor(researcher));
    const promoted = { ...researcher, roles: ['org_admin' as const] };
    expect(factory.createForActor(promoted)).not.toBe(factory.createForActor(researcher));
    expect(factory.createForActor(promoted).can('create', 'OrganisationKey')).toBe(true);
    expect(factory.createForActor(researcher).can('create', 'OrganisationKey')).toBe(false);
  });
});
