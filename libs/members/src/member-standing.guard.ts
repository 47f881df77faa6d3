import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AbilityFactory, ActorSource, CHECK_POLICIES, OUT_OF_STANDING_ALLOWED, PolicyHandler } from '@cadre/access';
import { MembershipPolicy } from './membership.policy';

/** The key of @cadre/identity's @Public() (members reads it; identity's AuthGuard owns it). */
const IS_PUBLIC = 'cadre:isPublic';
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one place that applies the charter's membership rule to people: a user of a
 * suspended organisation, or of one that does not adhere to the current charter, may
 * read, but every state-changing request of theirs (votes, contract changes, user
 * management, computations…) answers 422 `organisation_suspended` /
 * `charter_not_adhered`. The operator organisation is exempt; so are the few routes
 * marked @AllowedOutOfStanding() (logout, adhering to the charter).
 */
@Injectable()
export class MemberStandingGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly actors: ActorSource,
    private readonly abilities: AbilityFactory,
    private readonly membership: MembershipPolicy,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const request = ctx.switchToHttp().getRequest<{ method?: string }>();
    if (READS.has((request.method ?? 'GET').toUpperCase())) return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(OUT_OF_STANDING_ALLOWED, targets)) return true;
    const actor = await this.actors.actorOf(request);
    // Who may do this at all comes first: a route the actor's role may not use is the PoliciesGuard's 403.
    const handlers = this.reflector.getAllAndMerge<PolicyHandler[]>(CHECK_POLICIES, [ctx.getClass(), ctx.getHandler()]) ?? [];
    if (handlers.length) {
      const ability = this.abilities.createForActor(actor);
      if (!handlers.every((h) => h(ability))) return true;
    }
    await this.membership.assertCanAct(actor.organisationId, 'act');
    return true;
  }
}
