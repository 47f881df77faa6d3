import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Forbidden } from '@cadre/common';
import { AbilityFactory } from './ability.factory';
import { ActorSource } from './actor-source';
import { CHECK_POLICIES, PolicyHandler } from './check-policies.decorator';
import type { AppAbility } from './subjects';

const ABILITY = Symbol('cadre:ability');

/** Global guard: evaluates the route's @CheckPolicies handlers against the actor's ability (403 if any fails). */
@Injectable()
export class PoliciesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly factory: AbilityFactory,
    private readonly actors: ActorSource,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const handlers = this.reflector.getAllAndMerge<PolicyHandler[]>(CHECK_POLICIES, [ctx.getClass(), ctx.getHandler()]);
    if (!handlers?.length) return true;
    const request = ctx.switchToHttp().getRequest<{ [ABILITY]?: AppAbility }>();
    const ability = this.factory.createForActor(await this.actors.actorOf(request));
    request[ABILITY] = ability;
    if (!handlers.every((h) => h(ability))) throw new Forbidden();
    return true;
  }
}

/** The ability of the request's actor, as the PoliciesGuard built it (routes with @CheckPolicies only). */
export const CurrentAbility = createParamDecorator((_: unknown, ctx: ExecutionContext): AppAbility => {
  const ability = ctx.switchToHttp().getRequest<{ [ABILITY]?: AppAbility }>()[ABILITY];
  if (!ability) throw new Error('CurrentAbility used on a route without @CheckPolicies');
  return ability;
});
