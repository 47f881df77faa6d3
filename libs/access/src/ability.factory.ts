import { Injectable } from '@nestjs/common';
import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import type { Actor } from '@cadre/common';
import type { AppAbility } from './subjects';

/**
 * The one place that knows who may do what (API.md's "who" column). Route guards ask
 * "may this role do this at all" (`can('create', 'UseCase')`), services ask about the
 * loaded record (`can('read', subject('UseCase', record))`). State rules (draft,
 * under_review…) are not here: a wrong state is a 409 the service decides.
 */
@Injectable()
export class AbilityFactory {
  /**
   * One ability per actor object: a request asks several times (guards, then services),
   * and a cached actor (AuthGuard's per-token cache) is one object for many requests.
   * An actor object is never mutated: a role change yields a new actor, hence new rules.
   */
  private readonly built = new WeakMap<Actor, AppAbility>();

  createForActor(actor: Actor): AppAbility {
    let ability = this.built.get(actor);
    if (!ability) this.built.set(actor, (ability = defineAbilityFor(actor)));
    return ability;
  }
}

/** The rules of one actor (exported for tests and for callers without DI). */
export function defineAbilityFor(actor: Actor): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const org = actor.organisationId;
  const me = actor.id;
  const has = (role: Actor['roles'][number]) => actor.roles.includes(role);
  const isPlatformAdmin = actor.platformRoles.includes('platform_admin');
  const isCommittee = actor.platformRoles.includes('ethics_committee');

  // Every authenticated user: the member directory, the charter, the catalogue (metadata only), themselves.
  can('read', 'Organisation');
  can('read', 'Charter');
  can('read', 'Adherence');
  can('read', 'Dataset');
  can('read', 'User', { id: me });
  // An organisation sees its own use cases, those it provides data for, and those its people work on.
  can('read', 'UseCase', { organisationId: org });
  can('read', 'UseCase', { providerOrganisationIds: { $in: [org] } });
  can('read', 'UseCase', { teamUserIds: { $in: [me] } });
  // Contracts: the parties.
  can('read', 'Contract', { providerOrganisationId: org });
  can('read', 'Contract', { requesterOrganisationId: org });
  // Computations and budgets: the team.
  can('read', 'Computation', { teamUserIds: { $in: [me] } });
  can('read', 'Budget', { teamUserIds: { $in: [me] } });
  // A released result leaves the platform (CSV) for the team only, not for the providers.
  can('download', 'Computation', { teamUserIds: { $in: [me] } });
  // A researcher named on a team accepts to join it (their org_admin may for them, below).
  can('accept', 'TeamMembership', { userId: me });

  if (has('org_admin')) {
    can('create', 'User', { organisationId: org });
    can('read', 'User', { organisationId: org });
    // Roles within the organisation and deactivation; never platform roles.
    can('update', 'User', { organisationId: org });
    can('adhere', 'Organisation', { id: org });
    can('create', 'Adherence', { organisationId: org });
    can('create', 'OrganisationKey', { organisationId: org });
    can('read', 'OrganisationKey', { organisationId: org });
    can(['create', 'update', 'submit'], 'UseCase', { organisationId: org });
    can('sign', 'Contract', { providerOrganisationId: org });
    can('sign', 'Contract', { requesterOrganisationId: org });
    can(['update', 'terminate'], 'Contract', { providerOrganisationId: org });
    can('read', 'AuditEvent', { organisationIds: { $in: [org] } });
    can('accept', 'TeamMembership', { organisationId: org });
  }
  if (has('org_admin') || has('data_steward')) {
    // "The providers" of a computation or a budget: who answers for the data and may release results.
    can(['read', 'release'], 'Computation', { providerOrganisationIds: { $in: [org] } });
    can('read', 'Budget', { providerOrganisationIds: { $in: [org] } });
  }
  if (has('data_steward')) {
    can(['create', 'update', 'upload'], 'Dataset', { organisationId: org });
    can(['create', 'read'], 'Upload', { organisationId: org });
  }
  if (has('researcher')) {
    can(['create', 'update', 'submit'], 'UseCase', { organisationId: org });
    // Only a researcher of the named team runs computations, and cancels them.
    can('run', 'UseCase', { teamUserIds: { $in: [me] } });
    can('create', 'Computation', { teamUserIds: { $in: [me] } });
    can('cancel', 'Computation', { teamUserIds: { $in: [me] } });
  }

  if (isCommittee) {
    // The committee sees a use case from its submission on, never a draft.
    can('read', 'UseCase', { status: { $ne: 'draft' } });
    can('vote', 'UseCase');
    // Recusal: a member affiliated with the requester or with any provider, or named on the team, may not vote.
    cannot('vote', 'UseCase', { organisationId: org });
    cannot('vote', 'UseCase', { providerOrganisationIds: { $in: [org] } });
    cannot('vote', 'UseCase', { teamUserIds: { $in: [me] } });
    can(['create', 'read'], 'Vote');
    can('read', 'Contract');
  }

  if (isPlatformAdmin) {
    can(['create', 'update'], 'Organisation');
    can(['create', 'read', 'update'], 'User');
    can('update', 'PlatformRoles');
    can(['create', 'publish'], 'Charter');
    can('read', 'UseCase');
    can('read', 'Vote');
    can(['read', 'terminate'], 'Contract');
    can('read', 'AuditEvent');
    can('read', 'AuditChain');
    can('read', 'Usage');
    can('read', 'Operations');
  }

  return build();
}
