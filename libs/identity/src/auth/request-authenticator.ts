import { Injectable } from '@nestjs/common';
import { isTransientError, Unauthenticated } from '@cadre/common';
import { ActorSource } from '@cadre/access';
import type { Actor } from '../actor';
import { ACTOR, ACTOR_PROMISE, RequestWithActor, SESSION } from '../decorators';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { SessionsService } from '../tokens/sessions.service';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';
import { OidcVerifier } from './oidc-verifier';

/** Turns a request's bearer token into an Actor (or a 401), once per request. */
@Injectable()
export class RequestAuthenticator extends ActorSource {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly oidc: OidcVerifier,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {
    super();
  }

  actorOf(request: unknown): Promise<Actor> {
    const req = request as RequestWithActor;
    req[ACTOR_PROMISE] ??= this.resolve(req).then((actor) => (req[ACTOR] = actor));
    return req[ACTOR_PROMISE];
  }

  private async resolve(req: RequestWithActor): Promise<Actor> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim()) : null;
    if (!match) throw new Unauthenticated('Missing bearer token');
    const token = match[1];
    const user = this.oidc.claimsExternalIssuer(token) ? await this.fromExternal(token) : await this.fromPlatform(token, req);
    if (!user || !user.active) throw new Unauthenticated('Invalid or expired token');
    return toActor(user);
  }

  private async fromPlatform(token: string, req: RequestWithActor): Promise<UserView | null> {
    const claims = await this.tokens.verify(token);
    if (!claims) return null;
    // The session must still be alive: logout, refresh-token reuse, a password change or a
    // deactivation end it, and its access tokens with it.
    if (!(await this.sessions.isAlive(claims.sid, claims.sub))) return null;
    req[SESSION] = claims.sid;
    // The user is reloaded: a deleted user's tokens stop working, and roles are the current ones.
    // A database that is down is a 503 retry, never a 401: the token may well be good.
    return this.users.findById(claims.sub).catch((e) => (isTransientError(e) ? Promise.reject(e) : null));
  }

  private async fromExternal(token: string): Promise<UserView | null> {
    const identity = await this.oidc.identityOf(token);
    return identity ? this.users.findByExternalIdentity(identity) : null;
  }
}

export function toActor(user: UserView): Actor {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    organisationId: user.organisationId,
    roles: user.roles,
    platformRoles: user.platformRoles,
  };
}
