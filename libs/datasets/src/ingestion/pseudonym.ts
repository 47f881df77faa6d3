import { createHmac } from 'node:crypto';

/** The canonical form of a linkage value, so that " 1 85 07 " and "18507" link: trimmed, upper-cased, no whitespace. */
export function normaliseLinkageValue(raw: string): string {
  return raw.trim().toUpperCase().replace(/\s+/g, '');
}

/** Keyed pseudonym of a linkage value: hex HMAC-SHA-256 of its canonical form (the key never sits in the database). */
export function pseudonymise(key: string, raw: string): string {
  return createHmac('sha256', key).update(normaliseLinkageValue(raw), 'utf8').digest('hex');
}
