import canonicalize from 'canonicalize';

/** RFC 8785 (JCS) canonical JSON of a value: the exact bytes that get hashed and signed. */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value has no canonical JSON form');
  return out;
}
