import { JOBS, JobName, JobPayload, isJobName } from './jobs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A job payload that is not ids only. The message names the job and the keys, never a value. */
export class InvalidJobPayload extends Error {
  constructor(name: string, expected: readonly string[]) {
    super(`job ${name}: payload must be exactly {${expected.join(', ')}} with UUID values`);
    this.name = 'InvalidJobPayload';
  }
}

/**
 * Checks that a payload carries exactly the job's ids, each a UUID, and returns a clean
 * copy (lower-case ids). Anything else — an extra key, a nested object, a free string that
 * could be a value from the vault — is refused.
 */
export function assertJobPayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  if (!isJobName(name)) throw new InvalidJobPayload(String(name), []);
  const expected = JOBS[name].ids as readonly string[];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidJobPayload(name, expected);
  const keys = Object.keys(payload);
  if (keys.length !== expected.length || !expected.every((k) => keys.includes(k))) throw new InvalidJobPayload(name, expected);
  const clean: Record<string, string> = {};
  for (const key of expected) {
    const value = (payload as Record<string, unknown>)[key];
    if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidJobPayload(name, expected);
    clean[key] = value.toLowerCase();
  }
  return clean as JobPayload<N>;
}
