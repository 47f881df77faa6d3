import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, QueryFailedError, Repository } from 'typeorm';
import { NotFound, Page } from '@cadre/common';
import type { OrgRole, PlatformRole } from '../actor';
import { EmailTaken, LastPlatformAdmin } from '../errors';
import { hashPassword, verifyPassword } from '../passwords';
import { User } from './user.entity';
import { toUserView, UserView } from './user-view';

export interface CreateUserInput {
  email: string;
  password: string;
  displayName: string;
  organisationId: string;
  roles: OrgRole[];
  platformRoles?: PlatformRole[];
}

const PLATFORM_ADMINS_LOCK = 727_274_006;

/** Users and their credentials. Returns views only: the password hash never leaves this service. */
@Injectable()
export class UsersService {
  /** A real hash of nothing, checked for unknown e-mails so that they cost the same time. */
  private decoy: Promise<string> | undefined;

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Creates a user inside the caller's transaction (409 email_taken, 404 unknown organisation). */
  async create(em: EntityManager, input: CreateUserInput): Promise<UserView> {
    const repo = em.getRepository(User);
    const email = normaliseEmail(input.email);
    if (await repo.exists({ where: { email } })) throw new EmailTaken();
    const user = repo.create({
      email,
      passwordHash: await hashPassword(input.password),
      displayName: input.displayName,
      organisationId: input.organisationId,
      roles: unique(input.roles),
      platformRoles: unique(input.platformRoles ?? []),
    });
    try {
      // A savepoint, so that a refused insert leaves the caller's transaction usable.
      return toUserView(await em.transaction((inner) => inner.getRepository(User).save(user)));
    } catch (err) {
      const code = (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
      if (code === '23505') throw new EmailTaken();
      if (code === '23503') throw new NotFound('Organisation');
      throw err;
    }
  }

  /** 404 when the user does not exist. */
  async findById(id: string, em: EntityManager = this.users.manager): Promise<UserView> {
    const user = isUuid(id) ? await em.getRepository(User).findOneBy({ id }) : null;
    if (!user) throw new NotFound('User');
    return toUserView(user);
  }

  /** The users that exist among `ids` (missing ids are simply absent). */
  async findByIds(ids: string[]): Promise<UserView[]> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return [];
    return (await this.users.findBy({ id: In(valid) })).map(toUserView);
  }

  /**
   * The user an external identity belongs to. Once linked, an identity is bound by
   * (issuer, subject): the e-mail no longer matters. An unlinked identity is linked, by
   * its verified e-mail, to a user with no identity of that issuer yet; a user already
   * bound to another subject of the issuer is never reached through the e-mail (null).
   */
  async findByExternalIdentity(identity: { issuer: string; subject: string; email: string }): Promise<UserView | null> {
    return this.users.manager.transaction(async (em) => {
      const [bound] = (await em.query(`SELECT user_id FROM cadre.external_identities WHERE issuer = $1 AND subject = $2`, [identity.issuer, identity.subject])) as { user_id: string }[];
      if (bound) return this.findById(bound.user_id, em).catch(() => null);
      const user = await em.getRepository(User).findOneBy({ email: normaliseEmail(identity.email) });
      if (!user) return null;
      const linked = (await em.query(
        `INSERT INTO cadre.external_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
        [identity.issuer, identity.subject, user.id],
      )) as unknown[];
      return linked.length ? toUserView(user) : null;
    });
  }

  async findByEmail(email: string): Promise<UserView | null> {
    const user = await this.users.findOneBy({ email: normaliseEmail(email) });
    return user ? toUserView(user) : null;
  }

  /** The user whose credentials these are, or null; unknown e-mails take as long as wrong passwords. */
  async verifyCredentials(email: string, password: string): Promise<UserView | null> {
    const user = await this.users.findOneBy({ email: normaliseEmail(email) });
    if (!user) {
      this.decoy ??= hashPassword('decoy password never matching anything');
      await verifyPassword(password, await this.decoy);
      return null;
    }
    return (await verifyPassword(password, user.passwordHash)) && !user.deactivatedAt ? toUserView(user) : null;
  }

  /** Whether `password` is the user's current one. */
  async checkPassword(id: string, password: string): Promise<boolean> {
    const user = isUuid(id) ? await this.users.findOneBy({ id }) : null;
    return !!user && (await verifyPassword(password, user.passwordHash));
  }

  async setPassword(em: EntityManager, id: string, password: string): Promise<void> {
    await em.getRepository(User).update({ id }, { passwordHash: await hashPassword(password) });
  }

  async listByOrganisation(organisationId: string, limit: number, offset: number): Promise<Page<UserView>> {
    const [rows, total] = await this.users.findAndCount({
      where: { organisationId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toUserView), total };
  }

  /** Replaces a user's platform roles inside the caller's transaction. */
  async setPlatformRoles(em: EntityManager, id: string, platformRoles: PlatformRole[]): Promise<{ before: PlatformRole[]; after: UserView }> {
    const repo = em.getRepository(User);
    const user = isUuid(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!user) throw new NotFound('User');
    const before = user.platformRoles;
    if (before.includes('platform_admin') && !platformRoles.includes('platform_admin')) await this.assertAnotherPlatformAdmin(em, user.id);
    user.platformRoles = unique(platformRoles);
    return { before, after: toUserView(await repo.save(user)) };
  }

  /**
   * Changes a user's organisation roles and/or deactivates (or reactivates) them, inside the
   * caller's transaction. Deactivating the last active platform admin is refused (409).
   */
  async update(em: EntityManager, id: string, change: { roles?: OrgRole[]; active?: boolean }): Promise<{ before: UserView; after: UserView }> {
    const repo = em.getRepository(User);
    const user = isUuid(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!user) throw new NotFound('User');
    const before = toUserView(user);
    if (change.roles) user.roles = unique(change.roles);
    if (change.active === false && !user.deactivatedAt) {
      if (user.platformRoles.includes('platform_admin')) await this.assertAnotherPlatformAdmin(em, user.id);
      user.deactivatedAt = new Date();
    }
    if (change.active === true) user.deactivatedAt = null;
    return { before, after: toUserView(await repo.save(user)) };
  }

  /** 409 unless an active platform admin other than `userId` remains (serialised: two admins cannot demote each other at once). */
  private async assertAnotherPlatformAdmin(em: EntityManager, userId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [PLATFORM_ADMINS_LOCK]);
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM cadre.users WHERE 'platform_admin' = ANY(platform_roles) AND deactivated_at IS NULL AND id <> $1 LIMIT 1`,
      [userId],
    );
    if (!rows.length) throw new LastPlatformAdmin();
  }

  /** Whether any active user holds the platform_admin role (bootstrap). */
  async hasPlatformAdmin(em: EntityManager = this.users.manager): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM cadre.users WHERE 'platform_admin' = ANY(platform_roles) AND deactivated_at IS NULL LIMIT 1`);
    return rows.length > 0;
  }

  /** The user with this e-mail inside the caller's transaction, locked, or null (bootstrap). */
  async lockByEmail(em: EntityManager, email: string): Promise<UserView | null> {
    const user = await em.getRepository(User).findOne({ where: { email: normaliseEmail(email) }, lock: { mode: 'pessimistic_write' } });
    return user ? toUserView(user) : null;
  }

  /** Makes an existing user of the operator an active platform admin again (bootstrap recovery). */
  async restorePlatformAdmin(em: EntityManager, id: string): Promise<UserView> {
    const repo = em.getRepository(User);
    const user = await repo.findOneByOrFail({ id });
    user.platformRoles = unique([...user.platformRoles, 'platform_admin']);
    user.deactivatedAt = null;
    return toUserView(await repo.save(user));
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
