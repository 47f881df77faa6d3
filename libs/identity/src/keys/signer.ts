import { Injectable } from '@nestjs/common';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { canonicalJson } from '@cadre/common';
import { SigningKeysService } from './signing-keys.service';

export const RECORD_JWS_TYPE = 'cadre-record+jws';
const ALGORITHMS = ['EdDSA', 'ES256'];

export interface RecordVerification {
  valid: boolean;
  /** Whatever record was signed: each caller narrows it to its own record type. */
  payload?: unknown;
  kid?: string;
}

/**
 * Signs records a member may later need to prove (adherences, decisions, contract
 * signatures, results): a compact JWS whose payload is the RFC 8785 canonical JSON of
 * the record, verifiable offline with /.well-known/jwks.json.
 */
@Injectable()
export class Signer {
  constructor(private readonly keys: SigningKeysService) {}

  /** Compact JWS over canonicalJson(record), header {alg, kid, typ: 'cadre-record+jws'}. */
  async sign(record: object): Promise<string> {
    const { kid, alg, key } = await this.keys.activeKey();
    return new CompactSign(new TextEncoder().encode(canonicalJson(record)))
      .setProtectedHeader({ alg, kid, typ: RECORD_JWS_TYPE })
      .sign(key);
  }

  /** Verifies a record JWS against every published platform key; never throws. */
  async verify(jws: string): Promise<RecordVerification> {
    try {
      const header = decodeProtectedHeader(jws);
      if (header.typ !== RECORD_JWS_TYPE || typeof header.kid !== 'string') return { valid: false };
      const entry = await this.keys.publicKey(header.kid);
      if (!entry || header.alg !== entry.alg) return { valid: false };
      const { payload } = await compactVerify(jws, entry.key, { algorithms: ALGORITHMS });
      return { valid: true, payload: JSON.parse(new TextDecoder().decode(payload)), kid: entry.kid };
    } catch {
      return { valid: false };
    }
  }
}
