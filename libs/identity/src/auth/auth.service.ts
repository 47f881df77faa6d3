import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Unauthenticated } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import type { Actor } from '../actor';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { SessionsService } from '../tokens/sessions.service';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';
import { LoginThrottle } from './login-throttle';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Logins (throttled on failures), refresh-token rotation, logout and password changes. */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
  ) {}

  /** One answer for an unknown e-mail and a wrong password (401 invalid_credentials); 429 past the failure limits. */
  async login(email: string, password: string, address: string): Promise<TokenPair> {
    await this.throttle.assertAllowed(email, address);
    const user = await this.users.verifyCredentials(email, password);
    if (!user) {
      await this.throttle.recordFailure(email, address);
      throw new Unauthenticated('Invalid email or password', 'invalid_credentials');
    }
    await this.throttle.recordSuccess(email, address);
    const session = await this.refreshTokens.start(user.id);
    return this.pair(user, session.token, session.sessionId);
  }

  /** Spends a refresh token for a new pair; a spent token revokes its whole family (401) and is audited. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.refreshTokens.rotate(refreshToken);
    if (!outcome.ok) {
      if (outcome.reason === 'reused' && outcome.userId && outcome.sessionId) await this.recordReuse(outcome.userId, outcome.sessionId);
      throw new Unauthenticated('Invalid refresh token', 'invalid_refresh_token');
    }
    const user = await this.users.findById(outcome.userId).catch(() => null);
    if (!user || !user.active) throw new Unauthenticated('Invalid refresh token', 'invalid_refresh_token');
    return this.pair(user, outcome.token, outcome.sessionId);
  }

  /** Ends the session of the access token (and the family of the refresh token given, if it is the actor's). */
  async logout(actor: Actor, refreshToken: string, sessionId: string | undefined): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const ended = await this.refreshTokens.revokeFamilyOf(em, refreshToken, actor.id);
      if (sessionId) await this.refreshTokens.revokeSession(em, sessionId, actor.id);
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'auth.logout',
        subjectType: 'User',
        subjectId: actor.id,
        organisationIds: [actor.organisationId],
        data: { sessionIds: [...new Set([ended, sessionId].filter((s): s is string => !!s))] },
      });
    });
    if (sessionId) this.sessions.forget(sessionId, actor.id);
  }

  /** Changes the actor's password (the current one is required) and ends every session of theirs. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    if (!(await this.users.checkPassword(actor.id, currentPassword))) throw new Unauthenticated('The current password is wrong', 'invalid_credentials');
    await this.dataSource.transaction(async (em) => {
      await this.users.setPassword(em, actor.id, newPassword);
      const ended = await this.sessions.endAllOf(em, actor.id);
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'user.password_changed',
        subjectType: 'User',
        subjectId: actor.id,
        organisationIds: [actor.organisationId],
        data: { sessionsEnded: ended },
      });
    });
    // Again once committed: a request that read the old session in between keeps nothing.
    this.sessions.forgetUser(actor.id);
  }

  private async recordReuse(userId: string, sessionId: string): Promise<void> {
    const user = await this.users.findById(userId).catch(() => null);
    await this.dataSource.transaction((em) =>
      this.audit.append(em, {
        actorId: null,
        action: 'auth.refresh_token_reused',
        subjectType: 'User',
        subjectId: userId,
        organisationIds: user ? [user.organisationId] : [],
        data: { sessionId, sessionRevoked: true },
      }),
    );
    this.sessions.forget(sessionId, userId);
  }

  private async pair(user: UserView, refreshToken: string, sessionId: string): Promise<TokenPair> {
    return {
      accessToken: await this.accessTokens.issue(user, sessionId),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
    };
  }
}
