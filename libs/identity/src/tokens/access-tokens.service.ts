import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { errors, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { AppConfig } from '@cadre/config';
import { isTransientError } from '@cadre/common';
import type { UserView } from '../users/user-view';
import { SigningKeysService } from '../keys/signing-keys.service';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The only algorithms a token may claim ('none' and HMAC are refused before any key is looked up). */
const ALGORITHMS = ['EdDSA', 'ES256'];

export interface AccessClaims extends JWTPayload {
  sub: string;
  org: string;
  roles: string[];
  proles: string[];
  jti: string;
  /** The session (refresh-token family) the token belongs to: it stops working when the session ends. */
  sid: string;
}

/** Issues and verifies the platform's own access tokens (JWT, typ at+jwt, signed with the active key). */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.accessTokenTtl;
  }

  async issue(user: UserView, sessionId: string): Promise<string> {
    const { kid, alg, key } = await this.keys.activeKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ org: user.organisationId, roles: user.roles, proles: user.platformRoles, sid: sessionId })
      .setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.config.jwtIssuer)
      .setAudience(this.config.jwtAudience)
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + this.config.accessTokenTtl)
      .sign(key);
  }

  /** The verified claims, or null for anything not issued by this platform and still valid. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const entry = await this.keys.publicKey(header.kid);
          if (!entry || entry.alg !== header.alg || !this.keys.acceptsTokens(entry)) throw new errors.JWKSNoMatchingKey();
          return entry.key;
        },
        {
          algorithms: ALGORITHMS,
          issuer: this.config.jwtIssuer,
          audience: this.config.jwtAudience,
          typ: ACCESS_TOKEN_TYPE,
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'sid'],
          clockTolerance: 5,
        },
      );
      return typeof payload.sub === 'string' && typeof payload.sid === 'string' ? (payload as AccessClaims) : null;
    } catch (e) {
      if (isTransientError(e)) throw e; // the database is down: 503 retry, not "your token is bad"
      return null;
    }
  }
}
