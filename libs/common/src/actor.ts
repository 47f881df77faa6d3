/** Who a caller is, as every context sees it. Lives in common (below identity and access) so that access needs no import of identity. */
export const ORG_ROLES = ['org_admin', 'data_steward', 'researcher'] as const;
export const PLATFORM_ROLES = ['platform_admin', 'ethics_committee'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** The authenticated caller of a request, as every context sees it. */
export interface Actor {
  id: string;
  email: string;
  displayName: string;
  organisationId: string;
  roles: OrgRole[];
  platformRoles: PlatformRole[];
}
