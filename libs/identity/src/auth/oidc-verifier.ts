import { Inject, Injectable, Optional } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, JWTVerifyGetKey, jwtVerify } from 'jose';
import { AppConfig } from '@cadre/config';

/** Overrides the remote key set of the OIDC issuer (tests serve a local JWKS). */
export const OIDC_KEY_SET = Symbol('cadre:oidcKeySet');

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** Accepts access tokens of an external OIDC issuer (AppConfig.oidc) and returns their e-mail claim. */
@Injectable()
export class OidcVerifier {
  private readonly keySet: JWTVerifyGetKey | undefined;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(OIDC_KEY_SET) keySet?: JWTVerifyGetKey,
  ) {
    const oidc = config.oidc;
    this.keySet = oidc ? (keySet ?? createRemoteJWKSet(new URL(oidc.jwksUrl))) : undefined;
  }

  /** Whether the (unverified) token claims to come from the configured external issuer. */
  claimsExternalIssuer(token: string): boolean {
    const issuer = this.config.oidc?.issuer;
    if (!issuer || !this.keySet) return false;
    try {
      return decodeJwt(token).iss === issuer;
    } catch {
      return false;
    }
  }

  /** The verified, lower-cased e-mail of an external token, or null (bad signature, issuer, audience, expiry, no e-mail). */
  async emailOf(token: string): Promise<string | null> {
    const oidc = this.config.oidc;
    if (!oidc || !this.keySet) return null;
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: oidc.issuer,
        ...(oidc.audience ? { audience: oidc.audience } : {}),
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      if (typeof payload.email !== 'string' || payload.email_verified === false) return null;
      return payload.email.trim().toLowerCase();
    } catch {
      return null;
    }
  }
}
