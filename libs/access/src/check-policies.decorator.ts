import { SetMetadata } from '@nestjs/common';
import type { AppAbility } from './subjects';

export type PolicyHandler = (ability: AppAbility) => boolean;
export const CHECK_POLICIES = 'cadre:checkPolicies';

/** Route-level authorisation: "may this role do this at all" (403 otherwise). Record checks stay in services. */
export const CheckPolicies = (...handlers: PolicyHandler[]) => SetMetadata(CHECK_POLICIES, handlers);

export const OUT_OF_STANDING_ALLOWED = 'cadre:outOfStandingAllowed';

/**
 * The route changes state but stays open to users of a suspended or non-adhering
 * organisation (logging out, adhering to the charter): the MemberStandingGuard skips it.
 */
export const AllowedOutOfStanding = () => SetMetadata(OUT_OF_STANDING_ALLOWED, true);
