import type { ForcedSubject, MongoAbility } from '@casl/ability';

export type Action =
  | 'manage'
  | 'create'
  | 'read'
  | 'update'
  | 'submit'
  | 'vote'
  | 'sign'
  | 'terminate'
  | 'release'
  | 'cancel'
  | 'upload'
  | 'adhere'
  | 'publish'
  | 'run'
  | 'download'
  | 'accept';

/**
 * Every subject the rules talk about, with the fields their conditions read. Services
 * pass plain objects carrying these fields: `ability.can('read', subject('UseCase', {...}))`.
 */
export interface SubjectFields {
  Organisation: { id: string };
  User: { id: string; organisationId: string };
  Charter: object;
  Adherence: { organisationId: string };
  OrganisationKey: { organisationId: string };
  Dataset: { organisationId: string };
  Upload: { organisationId: string };
  /** organisationId is the requesting organisation; providerOrganisationIds own the requested datasets. */
  UseCase: { organisationId: string; providerOrganisationIds: string[]; teamUserIds: string[]; status: string };
  Vote: object;
  Contract: { providerOrganisationId: string; requesterOrganisationId: string };
  Computation: { teamUserIds: string[]; providerOrganisationIds: string[] };
  /** A researcher named on a use case's team (their consent to join it): the user and their organisation. */
  TeamMembership: { userId: string; organisationId: string };
  /** The privacy budget of a use case (GET …/budget): the team and the providers. */
  Budget: { teamUserIds: string[]; providerOrganisationIds: string[] };
  AuditEvent: { organisationIds: string[] };
  /** A user's platform roles (PUT /users/{id}/platform-roles): platform admins only. */
  PlatformRoles: object;
  /** The audit chain as a whole (GET /audit/verification). */
  AuditChain: object;
  /** Aggregate platform usage per member and per use case (GET /usage): the operator. */
  Usage: object;
  /** The operator's surfaces: /metrics and the queue dashboard (/admin/queues). */
  Operations: object;
}

export type SubjectType = keyof SubjectFields;

/** A record tagged with its subject type, as `subject(type, record)` of @casl/ability returns it. */
export type SubjectRecord = { [K in SubjectType]: SubjectFields[K] & ForcedSubject<K> }[SubjectType];

export type AppAbility = MongoAbility<[Action, SubjectType | SubjectRecord]>;
