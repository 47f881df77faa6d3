import type { OrgRole, PlatformRole } from '../actor';
import type { User } from './user.entity';

/** A user as other contexts and the API see it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  displayName: string;
  organisationId: string;
  roles: OrgRole[];
  platformRoles: PlatformRole[];
  /** False once deactivated (no login, no token works). */
  active: boolean;
  createdAt: Date;
}

export function toUserView(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    organisationId: u.organisationId,
    roles: [...u.roles],
    platformRoles: [...u.platformRoles],
    active: !u.deactivatedAt,
    createdAt: u.createdAt,
  };
}
