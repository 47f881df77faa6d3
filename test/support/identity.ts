import { randomBytes } from 'node:crypto';
import type { TestPlatform } from './platform';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

/** A documentation address (RFC 5737) per call: the token endpoint is rate-limited per client address. */
export function clientAddress(): string {
  return `198.51.100.${1 + (randomBytes(1)[0] % 254)}`;
}

/** POST /auth/token; throws unless 200. */
export async function login(platform: TestPlatform, email: string, password: string): Promise<TokenPair> {
  const res = await platform.http().post('/api/v1/auth/token').set('X-Forwarded-For', clientAddress()).send({ email, password });
  if (res.status !== 200) throw new Error(`login of ${email} answered ${res.status}`);
  return res.body as TokenPair;
}

/**
 * An organisation inserted directly (identity tests do not depend on the members routes),
 * adhering to the current charter (inserted too when none exists) unless `adhere` is false:
 * a non-adhering organisation's users may only read.
 */
export async function insertOrganisation(platform: TestPlatform, name = `Org ${randomBytes(3).toString('hex')}`, adhere = true): Promise<string> {
  const { rows } = await platform.owner.query<{ id: string }>(
    `INSERT INTO cadre.organisations (name, college) VALUES ($1, 'health') RETURNING id`,
    [name],
  );
  if (adhere) {
    await platform.owner.query(
      `INSERT INTO cadre.charters (version, title, principles, status, published_at)
       SELECT 'test-' || gen_random_uuid(), 'Test charter', '[]'::jsonb, 'current', now()
        WHERE NOT EXISTS (SELECT 1 FROM cadre.charters WHERE status = 'current')`,
    );
    await platform.owner.query(
      `INSERT INTO cadre.charter_adherences (organisation_id, charter_id, signed_by, signed_at, signature)
       SELECT $1, id, gen_random_uuid(), now(), 'test-fixture' FROM cadre.charters WHERE status = 'current'`,
      [rows[0].id],
    );
  }
  return rows[0].id;
}

/** Creates a user through the API as `adminToken` and logs them in. */
export async function createUser(
  platform: TestPlatform,
  adminToken: string,
  organisationId: string,
  roles: string[],
  email = `u-${randomBytes(4).toString('hex')}@cadre.test`,
): Promise<{ id: string; email: string; password: string; tokens: TokenPair }> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await platform
    .http()
    .post(`/api/v1/organisations/${organisationId}/users`)
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ email, password, displayName: email, roles });
  if (res.status !== 201) throw new Error(`user creation answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, password, tokens: await login(platform, email, password) };
}
