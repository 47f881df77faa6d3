import { MigrationInterface, QueryRunner } from 'typeorm';

/** The two schemas and the privilege boundary between them. Roles exist already (provisionRoles). */
export class Foundation1764460000000 implements MigrationInterface {
  name = 'Foundation1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS cadre`);
    await q.query(`CREATE SCHEMA IF NOT EXISTS vault`);
    await q.query(`REVOKE ALL ON SCHEMA cadre FROM PUBLIC`);
    await q.query(`REVOKE ALL ON SCHEMA vault FROM PUBLIC`);
    await q.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    // The API and the worker's governance connection: the cadre schema, nothing in vault.
    await q.query(`GRANT USAGE ON SCHEMA cadre TO cadre_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA cadre GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cadre_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA cadre GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cadre_app`);

    // Vault tables end up owned by cadre_vault (NOLOGIN). The ingest role creates and
    // loads a version table, then hands it over through a SECURITY DEFINER function
    // (datasets migration); it is never a member of cadre_vault, so it cannot SET ROLE
    // to read what it has written.
    await q.query(`GRANT USAGE, CREATE ON SCHEMA vault TO cadre_vault`);
    await q.query(`GRANT USAGE, CREATE ON SCHEMA vault TO cadre_ingest`);
    await q.query(`GRANT USAGE ON SCHEMA cadre TO cadre_ingest`);
    // The compute role reads vault tables and nothing else.
    await q.query(`GRANT USAGE ON SCHEMA vault TO cadre_compute`);
    await q.query(`ALTER DEFAULT PRIVILEGES FOR ROLE cadre_vault IN SCHEMA vault GRANT SELECT ON TABLES TO cadre_compute`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA IF EXISTS vault CASCADE`);
    await q.query(`DROP SCHEMA IF EXISTS cadre CASCADE`);
  }
}
