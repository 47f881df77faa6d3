import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@cadre/audit';
import { AppConfig } from '@cadre/config';
import { UsersService } from '@cadre/identity';
import type { UserView } from '@cadre/identity';
import { OrganisationsService } from './organisations.service';

/** Shared by every process that may bootstrap (API and worker can start together). */
const BOOTSTRAP_LOCK = 727_274_005;

/**
 * At start, if CADRE_BOOTSTRAP_ADMIN_* is set and no platform admin exists, creates the
 * operator organisation and that admin, in one transaction under an advisory lock.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    const created = await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await this.users.hasPlatformAdmin(em)) return false;
      const operator = await this.operatorIn(em, { bootstrap: true });
      // The bootstrap e-mail may already exist (its admin role was removed or it was deactivated):
      // start-up never fails on it. A user of the operator is restored; anyone else is left alone.
      const existing = await this.users.lockByEmail(em, admin.email);
      if (existing) {
        if (existing.organisationId !== operator.id) {
          this.logger.warn('bootstrap: the bootstrap e-mail belongs to a member organisation; no platform admin restored');
          return false;
        }
        const restored = await this.users.restorePlatformAdmin(em, existing.id);
        await this.audit.append(em, {
          actorId: null,
          action: 'user.platform_roles_set',
          subjectType: 'User',
          subjectId: restored.id,
          organisationIds: [operator.id],
          data: { before: existing.platformRoles, after: restored.platformRoles, bootstrap: true, reactivated: !existing.active },
        });
        return true;
      }
      await this.createPlatformAdmin(em, operator.id, { email: admin.email, password: admin.password }, { bootstrap: true });
      return true;
    });
    if (created) this.logger.log('bootstrap: created the operator organisation and its platform administrator');
  }

  /** The operator organisation, created (and audited) if missing; `via` says who asked, in the audit event. */
  async operatorIn(em: EntityManager, via: Record<string, unknown>): Promise<{ id: string }> {
    const existing = await this.organisations.findOperator(em);
    if (existing) return existing;
    const operator = await this.organisations.create(em, { name: this.config.operatorName, college: 'operator', isOperator: true });
    await this.audit.append(em, {
      actorId: null,
      action: 'organisation.created',
      subjectType: 'Organisation',
      subjectId: operator.id,
      organisationIds: [operator.id],
      data: { college: 'operator', ...via },
    });
    return operator;
  }

  /** A platform admin (and org_admin) of the operator organisation, with its audit event. */
  async createPlatformAdmin(em: EntityManager, operatorId: string, admin: { email: string; password: string; displayName?: string }, via: Record<string, unknown>): Promise<UserView> {
    const user = await this.users.create(em, {
      email: admin.email,
      password: admin.password,
      displayName: admin.displayName ?? 'Platform administrator',
      organisationId: operatorId,
      roles: ['org_admin'],
      platformRoles: ['platform_admin'],
    });
    await this.audit.append(em, {
      actorId: null,
      action: 'user.created',
      subjectType: 'User',
      subjectId: user.id,
      organisationIds: [operatorId],
      data: { roles: user.roles, platformRoles: user.platformRoles, ...via },
    });
    return user;
  }
}
