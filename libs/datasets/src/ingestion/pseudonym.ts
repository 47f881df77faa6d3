import { createHmac, createSecretKey } from 'node:crypto';
import { ShortHmacSha256 } from './short-hmac';

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

/**
 * The same pseudonym function (same bytes out as `pseudonymise(key, raw)`) for a million
 * calls: the key's HMAC pads are hashed once, and a canonical value (ASCII, one SHA-256
 * block) costs two compressions (ShortHmacSha256); any other value goes through node:crypto's
 * createHmac with the key prepared once. pseudonym.spec.ts checks both against createHmac.
 */
export function pseudonymiser(key: string): (raw: string) => string {
  const bytes = Buffer.from(key, 'utf8');
  const short = new ShortHmacSha256(bytes);
  const secret = createSecretKey(bytes);
  return (raw) => {
    const value = normaliseLinkageValue(raw);
    return short.hex(value) ?? createHmac('sha256', secret).update(value, 'utf8').digest('hex');
  };
}
