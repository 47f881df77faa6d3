import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ActorCache, SESSION_CACHE_MS } from './actor-cache';

/** How long a "this session is alive" answer is reused by a process (the bound on how late a revocation bites). */
export { SESSION_CACHE_MS };

/**
 * A session is a refresh-token family: it starts at login, and its id (`sid`) is named in
 * every access token issued for it. It ends when the family is revoked (logout, reuse
 * detection, password change, deactivation); the access tokens of an ended session stop
 * working at once (within SESSION_CACHE_MS), not when they expire.
 */
@Injectable()
export class SessionsService {
  private readonly cache = new Map<string, { alive: boolean; until: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly actors: ActorCache,
  ) {}

  /**
   * Whether the session `sid` of `userId` is still alive (cached for at most SESSION_CACHE_MS;
   * `fresh`: asked of the database whatever the cache holds, as a background refresh of a token does).
   */
  async isAlive(sid: string, userId: string, fresh = false): Promise<boolean> {
    const key = `${userId}:${sid}`;
    const now = Date.now();
    const hit = fresh ? undefined : this.cache.get(key);
    if (hit && hit.until > now) return hit.alive;
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM cadre.refresh_tokens WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [sid, userId],
    );
    const alive = rows.length > 0;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { alive, until: now + SESSION_CACHE_MS });
    return alive;
  }

  /** Ends every session of a user (password change, deactivation); returns how many ended. */
  async endAllOf(em: EntityManager, userId: string): Promise<number> {
    const rows: { family_id: string }[] = await em.query(
      `SELECT DISTINCT family_id FROM cadre.refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    await em.query(`UPDATE cadre.refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
    this.forgetUser(userId);
    return rows.length;
  }

  /** Forgets this process's cached answers for a session (the process that ended it answers at once). */
  forget(sid: string, userId: string): void {
    this.cache.delete(`${userId}:${sid}`);
    this.actors.forgetSession(sid);
  }

  /**
   * Forgets this process's cached answers for every session and token of a user: after its
   * sessions end or its roles change, its very next request is checked afresh. Callers call
   * it again once their transaction has committed, so that no request reading the old rows
   * in between keeps them.
   */
  forgetUser(userId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${userId}:`)) this.cache.delete(key);
    this.actors.forgetUser(userId);
  }
}
