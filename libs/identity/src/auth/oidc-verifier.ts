import { Inject, Injectable, Optional } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, JWTVerifyGetKey, jwtVerify } from 'jose';
import { AppConfig } from '@cadre/config';

/** Overrides the remote key set of the OIDC issuer (tests serve a local JWKS). */
export const OIDC_KEY_SET = Symbol('cadre:oidcKeySet');

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  email: string;
}

/** Accepts access tokens of an external OIDC issuer (AppConfig.oidc) and returns the identity they prove. */
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

  /**
   * The verified identity of an external token — issuer, subject and lower-cased e-mail —
   * or null: bad signature, issuer, audience (always checked: an issuer is configured only
   * with its audience), expiry, no subject, or an e-mail the provider has not verified
   * (`email_verified` must be exactly true).
   */
  async identityOf(token: string): Promise<ExternalIdentity | null> {
    const oidc = this.config.oidc;
    if (!oidc || !this.keySet) return null;
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || !payload.sub) return null;
      if (typeof payload.email !== 'string' || payload.email_verified !== true) return null;
      return { issuer: oidc.issuer, subject: payload.sub, email: payload.email.trim().toLowerCase() };
    } catch {
      return null;
    }
  }
}
