import { createHmac, createSecretKey, hash } from 'node:crypto';

/** Already canonical: nothing to trim, upper-case or remove (the usual case, tested without allocating). */
const CANONICAL = /^[0-9A-Z]+$/;

/** The canonical form of a linkage value, so that " 1 85 07 " and "18507" link: trimmed, upper-cased, no whitespace. */
export function normaliseLinkageValue(raw: string): string {
  return CANONICAL.test(raw) ? raw : raw.trim().toUpperCase().replace(/\s+/g, '');
}

/** Keyed pseudonym of a linkage value: hex HMAC-SHA-256 of its canonical form (the key never sits in the database). */
export function pseudonymise(key: string, raw: string): string {
  return createHmac('sha256', key).update(normaliseLinkageValue(raw), 'utf8').digest('hex');
}

const SHA256_BLOCK = 64;

/**
 * The same pseudonym function (same bytes out as `pseudonymise(key, raw)`) for a million
 * calls: building a node:crypto Hmac object per value costs more than the hashing itself.
 * HMAC is RFC 2104's H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) over node:crypto's one-shot
 * SHA-256 (`crypto.hash`): two native calls and no object a value, about a third less CPU
 * (pseudonym.spec.ts checks it against createHmac). A key of non-ASCII bytes or longer
 * than a SHA-256 block falls back to createHmac with a prepared KeyObject.
 */
export function pseudonymiser(key: string): (raw: string) => string {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length > SHA256_BLOCK || bytes.some((b) => b >= 0x80)) {
    const secret = createSecretKey(bytes);
    return (raw) => createHmac('sha256', secret).update(normaliseLinkageValue(raw), 'utf8').digest('hex');
  }
  const padded = Buffer.alloc(SHA256_BLOCK);
  bytes.copy(padded);
  // ASCII key bytes XOR 0x36 stay ASCII: the inner pad is a string that UTF-8 encodes to exactly these bytes.
  const innerPad = Buffer.from(padded.map((b) => b ^ 0x36)).toString('latin1');
  const outer = Buffer.alloc(SHA256_BLOCK + 32);
  Buffer.from(padded.map((b) => b ^ 0x5c)).copy(outer);
  return (raw) => {
    outer.set(hash('sha256', innerPad + normaliseLinkageValue(raw), 'buffer') as unknown as Buffer, SHA256_BLOCK);
    return hash('sha256', outer, 'hex') as string;
  };
}
