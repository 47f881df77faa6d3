import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, the platform's signing keys and the refresh-token families (identity context). */
export class Identity1764460002000 implements MigrationInterface {
  name = 'Identity1764460002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL CHECK (email = lower(email)),
      password_hash text NOT NULL,
      display_name text NOT NULL,
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['org_admin','data_steward','researcher']::text[]),
      platform_roles text[] NOT NULL DEFAULT '{}' CHECK (platform_roles <@ ARRAY['platform_admin','ethics_committee']::text[]),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON cadre.users (email)`);
    await q.query(`CREATE INDEX users_organisation_idx ON cadre.users (organisation_id)`);

    // The private key is stored only encrypted (AES-256-GCM under a key derived from CADRE_MASTER_KEY).
    await q.query(`CREATE TABLE cadre.signing_keys (
      kid text PRIMARY KEY,
      alg text NOT NULL CHECK (alg IN ('EdDSA','ES256')),
      public_jwk jsonb NOT NULL,
      private_key_enc text NOT NULL,
      status text NOT NULL CHECK (status IN ('active','retired')),
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      CHECK ((status = 'retired') = (retired_at IS NOT NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX signing_keys_one_active ON cadre.signing_keys (status) WHERE status = 'active'`);

    // Opaque refresh tokens, stored as SHA-256 only; a family is one login's chain of rotations.
    await q.query(`CREATE TABLE cadre.refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash text NOT NULL UNIQUE,
      family_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES cadre.users(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON cadre.refresh_tokens (family_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.refresh_tokens`);
    await q.query(`DROP TABLE cadre.signing_keys`);
    await q.query(`DROP TABLE cadre.users`);
  }
}
