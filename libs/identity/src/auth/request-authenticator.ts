import { Injectable } from '@nestjs/common';
import { isTransientError, Unauthenticated } from '@cadre/common';
import { ActorSource } from '@cadre/access';
import type { Actor } from '../actor';
import { ACTOR, ACTOR_PROMISE, RequestWithActor, SESSION } from '../decorators';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { ActorCache } from '../tokens/actor-cache';
import { SessionsService } from '../tokens/sessions.service';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';
import { OidcVerifier } from './oidc-verifier';

/** A token's resolution under way, and the cache generation it started in. */
interface InFlight {
  epoch: number;
  done: Promise<{ actor: Actor; sid: string }>;
}

/** Turns a request's bearer token into an Actor (or a 401), once per request. */
@Injectable()
export class RequestAuthenticator extends ActorSource {
  /**
   * Resolutions under way, by token: the requests of one token that miss the cache together
   * (all of them, each time its entry lapses) share one signature check, session check and
   * user load instead of queueing one each (measured at 50 connections: those bursts were the
   * p99 of an authenticated read).
   */
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly tokens: AccessTokensService,
    private readonly oidc: OidcVerifier,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly cache: ActorCache,
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
    if (this.oidc.claimsExternalIssuer(token)) {
      const external = await this.fromExternal(token);
      if (!external || !external.active) throw new Unauthenticated('Invalid or expired token');
      return toActor(external);
    }
    return this.fromPlatform(token, req);
  }

  private async fromPlatform(token: string, req: RequestWithActor): Promise<Actor> {
    // A token seen within the cache's bound skips the signature, the session and the user
    // load (they were checked then; an ended session or a changed user drops the entry).
    const cached = this.cache.get(token);
    if (cached) {
      // Half-way through its life the entry is resolved again behind this request, so that the
      // token's next requests find a fresh one instead of all waiting together when it lapses.
      if (cached.refresh) this.refreshAhead(token);
      req[SESSION] = cached.sid;
      return cached.actor;
    }
    const { actor, sid } = await this.resolution(token, false).done;
    req[SESSION] = sid;
    return actor;
  }

  /** The resolution under way for a token, joined, or a new one; one started before a session or user was forgotten is not joined. */
  private resolution(token: string, fresh: boolean): InFlight {
    const flight = this.inFlight.get(token);
    if (flight && flight.epoch === this.cache.epoch) return flight;
    const started: InFlight = { epoch: this.cache.epoch, done: this.load(token, this.cache.epoch, fresh) };
    this.inFlight.set(token, started);
    const forget = () => {
      if (this.inFlight.get(token) === started) this.inFlight.delete(token);
    };
    started.done.then(forget, forget);
    return started;
  }

  /** Resolves a cached token again in the background (its session asked of the database); a refusal drops its entry at once. */
  private refreshAhead(token: string): void {
    this.resolution(token, true).done.catch((e: unknown) => {
      if (e instanceof Unauthenticated) this.cache.drop(token); // a database that is away leaves the entry to lapse
    });
  }

  private async load(token: string, epoch: number, fresh: boolean): Promise<{ actor: Actor; sid: string }> {
    const claims = await this.tokens.verify(token);
    // The session must still be alive: logout, refresh-token reuse, a password change or a
    // deactivation end it, and its access tokens with it.
    if (!claims || !(await this.sessions.isAlive(claims.sid, claims.sub, fresh))) throw new Unauthenticated('Invalid or expired token');
    // The user is reloaded: a deleted user's tokens stop working, and roles are the current ones.
    // A database that is down is a 503 retry, never a 401: the token may well be good.
    const user = await this.users.findById(claims.sub).catch((e) => (isTransientError(e) ? Promise.reject(e) : null));
    if (!user || !user.active) throw new Unauthenticated('Invalid or expired token');
    const actor = toActor(user);
    this.cache.set(token, actor, claims.sid, (claims.exp ?? 0) * 1000, epoch);
    return { actor, sid: claims.sid };
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
