import type { PoolClient } from 'pg';
import { AppConfig, DB_ROLES } from '@cadre/config';

/**
 * Creates the runtime roles if missing (roles are cluster-wide, so this tolerates a
 * concurrent creator) and sets their password when one is configured. The owner of
 * DATABASE_URL must be a superuser or have CREATEROLE.
 */
export async function provisionRoles(client: PoolClient, config: AppConfig): Promise<void> {
  const specs: [string, string][] = [
    [DB_ROLES.app, 'LOGIN'],
    [DB_ROLES.ingest, 'LOGIN'],
    [DB_ROLES.compute, 'LOGIN'],
    [DB_ROLES.vault, 'NOLOGIN'],
  ];
  for (const [role, attrs] of specs) {
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} ${attrs}; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  }
  // The ingest role must never be able to SET ROLE to the vault owner (membership is cluster-wide).
  await client.query(`REVOKE ${DB_ROLES.vault} FROM ${DB_ROLES.ingest}`);
  const password = config.dbRolePassword;
  if (password) {
    for (const role of [DB_ROLES.app, DB_ROLES.ingest, DB_ROLES.compute]) {
      const literal = (await client.query<{ q: string }>('SELECT quote_literal($1) AS q', [password])).rows[0].q;
      await client.query(`ALTER ROLE ${role} PASSWORD ${literal}`);
    }
  }
}
