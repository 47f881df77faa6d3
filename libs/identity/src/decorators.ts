import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Unauthenticated } from '@cadre/common';
import type { Actor } from './actor';

export const IS_PUBLIC = 'cadre:isPublic';

/** The route needs no token: the global AuthGuard lets it through. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Where the authentication of a request is memoised (one verification per request, whichever guard asks first). */
export const ACTOR = Symbol('cadre:actor');
export const ACTOR_PROMISE = Symbol('cadre:actorPromise');
/** The session id (`sid`) of the request's platform access token, if it has one. */
export const SESSION = Symbol('cadre:session');

export interface RequestWithActor {
  headers: Record<string, string | string[] | undefined>;
  [ACTOR]?: Actor;
  [ACTOR_PROMISE]?: Promise<Actor>;
  [SESSION]?: string;
}

/** The authenticated actor of the request (the route must not be @Public). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<RequestWithActor>()[ACTOR];
  if (!actor) throw new Unauthenticated();
  return actor;
});

/** The session id of the request's access token (undefined for an external OIDC token). */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<RequestWithActor>()[SESSION]);
