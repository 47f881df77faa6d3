import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, QueryFailedError, Repository } from 'typeorm';
import { NotFound, Page } from '@cadre/common';
import type { OrgRole, PlatformRole } from '../actor';
import { EmailTaken } from '../errors';
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
    return (await verifyPassword(password, user.passwordHash)) ? toUserView(user) : null;
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
    user.platformRoles = unique(platformRoles);
    return { before, after: toUserView(await repo.save(user)) };
  }

  /** Whether any user holds the platform_admin role (bootstrap). */
  async hasPlatformAdmin(em: EntityManager = this.users.manager): Promise<boolean> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM cadre.users WHERE 'platform_admin' = ANY(platform_roles) LIMIT 1`);
    return rows.length > 0;
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
