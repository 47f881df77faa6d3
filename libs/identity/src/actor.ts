// The actor type lives in @cadre/common (access reads it without importing identity); identity keeps re-exporting it.
export { ORG_ROLES, PLATFORM_ROLES } from '@cadre/common';
export type { Actor, OrgRole, PlatformRole } from '@cadre/common';
