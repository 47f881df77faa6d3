import { Injectable } from '@nestjs/common';
import { Unauthenticated } from '@cadre/common';
import type { Actor } from '../actor';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UsersService } from '../users/users.service';
import type { UserView } from '../users/user-view';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Logins, refresh-token rotation and logout. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
  ) {}

  /** One answer for an unknown e-mail and a wrong password (401 invalid_credentials). */
  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) throw new Unauthenticated('Invalid email or password', 'invalid_credentials');
    return this.pair(user, await this.refreshTokens.start(user.id));
  }

  /** Spends a refresh token for a new pair; a spent token revokes its whole family (401). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.refreshTokens.rotate(refreshToken);
    if (!outcome.ok) throw new Unauthenticated('Invalid refresh token', 'invalid_refresh_token');
    const user = await this.users.findById(outcome.userId).catch(() => null);
    if (!user) throw new Unauthenticated('Invalid refresh token', 'invalid_refresh_token');
    return this.pair(user, outcome.token);
  }

  async logout(actor: Actor, refreshToken: string): Promise<void> {
    await this.refreshTokens.revokeFamilyOf(refreshToken, actor.id);
  }

  private async pair(user: UserView, refreshToken: string): Promise<TokenPair> {
    return {
      accessToken: await this.accessTokens.issue(user),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
    };
  }
}
