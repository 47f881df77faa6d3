import type { Actor } from '@cadre/common';

/**
 * Who the caller of a request is. Provided by IdentityModule (global); memoised per
 * request, so the PoliciesGuard does not depend on running after the AuthGuard.
 */
export abstract class ActorSource {
  abstract actorOf(request: unknown): Promise<Actor>;
}
