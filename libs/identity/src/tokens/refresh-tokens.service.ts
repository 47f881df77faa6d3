import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { RefreshToken } from './refresh-token.entity';

export type RefreshOutcome =
  | { ok: true; userId: string; token: string; sessionId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused'; userId?: string; sessionId?: string };

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Opaque, rotating refresh tokens. Each login starts a family; a token works once and
 * is replaced by the next of its family. Presenting a spent token means it was copied:
 * the whole family is revoked, the thief's and the owner's sessions alike.
 */
@Injectable()
export class RefreshTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Starts a new family (session) for a fresh login. */
  async start(userId: string, em: EntityManager = this.dataSource.manager): Promise<{ token: string; sessionId: string }> {
    const sessionId = randomUUID();
    return { token: await this.insert(em, userId, sessionId), sessionId };
  }

  /** Spends a token and hands out its successor, or revokes the family on reuse. */
  async rotate(token: string): Promise<RefreshOutcome> {
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(RefreshToken);
      const row = await repo.findOne({ where: { tokenHash: digest(token) }, lock: { mode: 'pessimistic_write' } });
      if (!row) return { ok: false, reason: 'unknown' } as const;
      if (row.revokedAt) return { ok: false, reason: 'revoked' } as const;
      if (row.usedAt) {
        await this.revokeFamily(em, row.familyId);
        return { ok: false, reason: 'reused', userId: row.userId, sessionId: row.familyId } as const;
      }
      if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' } as const;
      await repo.update({ id: row.id }, { usedAt: new Date() });
      return { ok: true, userId: row.userId, token: await this.insert(em, row.userId, row.familyId), sessionId: row.familyId } as const;
    });
  }

  /** Revokes the family of a token if it belongs to `userId` (logout); returns the session it ended, if any. */
  async revokeFamilyOf(em: EntityManager, token: string, userId: string): Promise<string | null> {
    const row = await em.getRepository(RefreshToken).findOneBy({ tokenHash: digest(token), userId });
    if (!row) return null;
    await this.revokeFamily(em, row.familyId);
    return row.familyId;
  }

  /** Revokes a whole session by its id (the access token's `sid`), if it belongs to `userId`. */
  async revokeSession(em: EntityManager, sessionId: string, userId: string): Promise<void> {
    await em.query(`UPDATE cadre.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [sessionId, userId]);
  }

  private async revokeFamily(em: EntityManager, familyId: string): Promise<void> {
    await em.query(`UPDATE cadre.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }

  private async insert(em: EntityManager, userId: string, familyId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await em.getRepository(RefreshToken).insert({
      tokenHash: digest(token),
      familyId,
      userId,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtl * 1000),
    });
    return token;
  }
}
