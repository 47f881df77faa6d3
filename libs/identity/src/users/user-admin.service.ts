import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFound, Page } from '@cadre/common';
import { AbilityFactory, authorize, subject } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import type { Actor, OrgRole, PlatformRole } from '../actor';
import { isUuid, UsersService } from './users.service';
import { SessionsService } from '../tokens/sessions.service';
import type { UserView } from './user-view';

/** The user routes: who may create and list an organisation's users, and set platform roles. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly abilities: AbilityFactory,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  async createInOrganisation(
    actor: Actor,
    organisationId: string,
    input: { email: string; password: string; displayName: string; roles: OrgRole[] },
  ): Promise<UserView> {
    this.assertOnOrganisation(actor, 'create', organisationId);
    if (!isUuid(organisationId)) throw new NotFound('Organisation');
    return this.dataSource.transaction(async (em) => {
      const user = await this.users.create(em, { ...input, organisationId });
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'user.created',
        subjectType: 'User',
        subjectId: user.id,
        organisationIds: [organisationId],
        data: { roles: user.roles },
      });
      return user;
    });
  }

  async listOrganisation(actor: Actor, organisationId: string, limit: number, offset: number): Promise<Page<UserView>> {
    this.assertOnOrganisation(actor, 'read', organisationId);
    if (!isUuid(organisationId)) throw new NotFound('Organisation');
    return this.users.listByOrganisation(organisationId, limit, offset);
  }

  async setPlatformRoles(actor: Actor, userId: string, platformRoles: PlatformRole[]): Promise<UserView> {
    return this.changingUser(userId, async (em) => {
      authorize(this.abilities.createForActor(actor), 'update', 'PlatformRoles');
      await this.users.findById(userId, em); // 404 for an unknown user
      const { before, after } = await this.users.setPlatformRoles(em, userId, platformRoles);
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'user.platform_roles_set',
        subjectType: 'User',
        subjectId: after.id,
        organisationIds: [after.organisationId],
        data: { before, after: after.platformRoles },
      });
      return after;
    });
  }

  /**
   * Changes a user's organisation roles and/or deactivates them (org_admin of the user's
   * organisation, or platform admin). Deactivation ends every session of the user at once.
   * Another organisation's user is a 404, like an unknown id.
   */
  async update(actor: Actor, userId: string, change: { roles?: OrgRole[]; active?: boolean }): Promise<UserView> {
    const ability = this.abilities.createForActor(actor);
    return this.changingUser(userId, async (em) => {
      const target = await this.users.findById(userId, em);
      const record = subject('User', { id: target.id, organisationId: target.organisationId });
      authorize(ability, 'read', record, { notFound: 'User' });
      authorize(ability, 'update', record);
      const { before, after } = await this.users.update(em, userId, change);
      const ended = before.active && !after.active ? await this.sessions.endAllOf(em, userId) : 0;
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'user.updated',
        subjectType: 'User',
        subjectId: userId,
        organisationIds: [after.organisationId],
        data: { before: { roles: before.roles, active: before.active }, after: { roles: after.roles, active: after.active }, sessionsEnded: ended },
      });
      return after;
    });
  }

  /**
   * Runs a change of a user's roles or standing, then drops this process's cached actor of
   * that user once committed: their very next request carries the new roles (or a 401).
   */
  private async changingUser<T>(userId: string, change: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(change);
    } finally {
      this.sessions.forgetUser(userId);
    }
  }

  // Organisations are visible to every user, so refusing with 403 reveals nothing.
  private assertOnOrganisation(actor: Actor, action: 'create' | 'read', organisationId: string): void {
    // id '' never equals a real user id: the "read yourself" rule must not grant a whole list.
    authorize(this.abilities.createForActor(actor), action, subject('User', { id: '', organisationId }));
  }
}
