import { Injectable } from '@nestjs/common';
import type { Actor } from '../actor';

/**
 * How long a process reuses "this session is alive" and "this token is this actor" answers:
 * the bound on how late a revocation made by another process bites (SessionsService re-exports it).
 */
export const SESSION_CACHE_MS = 1000;

/**
 * An entry this old is resolved again in the background while it keeps answering (within
 * SESSION_CACHE_MS still): under steady use a token's requests never wait for the resolution.
 */
export const REFRESH_AFTER_MS = SESSION_CACHE_MS / 2;

interface Entry {
  actor: Actor;
  userId: string;
  sid: string;
  since: number;
  until: number;
}

/** Beyond this many live tokens the cache starts over (a bound on memory, not a policy). */
const MAX_ENTRIES = 10_000;

/**
 * The actor of a verified platform access token, reused for at most SESSION_CACHE_MS (and
 * never past the token's expiry), so that a burst of requests with one token verifies the
 * signature, checks the session and loads the user once, not once per request.
 *
 * Keyed by the whole token string, not by its jti: only a token that verified once can hit,
 * a forged token naming a known jti cannot. Entries are dropped at once, in this process,
 * when a session ends (logout, refresh-token reuse) or a user changes (roles, platform roles,
 * deactivation, password): see SessionsService.forget/forgetUser. Other processes learn it
 * within SESSION_CACHE_MS, the bound the session cache already sets.
 */
@Injectable()
export class ActorCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a resolution that started before it does not fill the cache. */
  private generation = 0;

  /** The generation to hand back to `set` (taken before the token is resolved). */
  get epoch(): number {
    return this.generation;
  }

  /** The cached actor of a token; `refresh` once the entry is REFRESH_AFTER_MS old (the caller resolves it again, in the background). */
  get(token: string, now = Date.now()): { actor: Actor; sid: string; refresh: boolean } | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.until > now) return { actor: hit.actor, sid: hit.sid, refresh: now - hit.since >= REFRESH_AFTER_MS };
    this.entries.delete(token);
    return undefined;
  }

  /** Forgets one token (its background resolution was refused: the session ended, the user went). */
  drop(token: string): void {
    this.entries.delete(token);
  }

  /** Remembers the actor of a token resolved since `epoch`; `expiresAt` is the token's exp (ms). */
  set(token: string, actor: Actor, sid: string, expiresAt: number, epoch: number, now = Date.now()): void {
    if (epoch !== this.generation) return; // a session or user changed meanwhile: do not keep what may be stale
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // Shared by the requests of the next second: nothing may change it under them.
    Object.freeze(actor.roles);
    Object.freeze(actor.platformRoles);
    Object.freeze(actor);
    this.entries.set(token, { actor, userId: actor.id, sid, since: now, until: Math.min(now + SESSION_CACHE_MS, expiresAt) });
  }

  forgetSession(sid: string): void {
    this.generation++;
    for (const [token, e] of this.entries) if (e.sid === sid) this.entries.delete(token);
  }

  /** Forgets everything (a signing-key rotation: which keys open tokens has changed). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  forgetUser(userId: string): void {
    this.generation++;
    for (const [token, e] of this.entries) if (e.userId === userId) this.entries.delete(token);
  }
}
