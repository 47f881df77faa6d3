import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dataset catalogue, its versions and uploads (cadre schema), and the one door
 * between the ingest role and the vault owner: vault.finalise_version().
 */
export class Datasets1764460006000 implements MigrationInterface {
  name = 'Datasets1764460006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.datasets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      kind text NOT NULL CHECK (kind IN ('person','reference')),
      columns jsonb NOT NULL CHECK (jsonb_typeof(columns) = 'array'),
      current_version_id uuid,
      version_seq integer NOT NULL DEFAULT 0,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organisation_id, name)
    )`);
    await q.query(`CREATE TABLE cadre.dataset_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES cadre.datasets(id),
      number integer NOT NULL CHECK (number > 0),
      table_name text NOT NULL UNIQUE,
      row_count bigint NOT NULL CHECK (row_count >= 0),
      content_sha256 text NOT NULL,
      upload_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (dataset_id, number)
    )`);
    await q.query(`ALTER TABLE cadre.datasets ADD CONSTRAINT datasets_current_version_fk
      FOREIGN KEY (current_version_id) REFERENCES cadre.dataset_versions(id)`);
    await q.query(`CREATE TABLE cadre.uploads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      dataset_id uuid NOT NULL REFERENCES cadre.datasets(id),
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','succeeded','failed')),
      table_name text NOT NULL UNIQUE,
      rows_accepted bigint NOT NULL DEFAULT 0,
      errors jsonb NOT NULL DEFAULT '[]',
      error_count integer NOT NULL DEFAULT 0,
      content_sha256 text,
      version_id uuid REFERENCES cadre.dataset_versions(id),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX uploads_dataset ON cadre.uploads (dataset_id, created_at)`);
    await q.query(`CREATE INDEX uploads_unfinished ON cadre.uploads (created_at) WHERE status IN ('queued','running')`);
    // cadre_ingest writes only into vault: governance rows go through the app connection.
    // cadre_compute has no privilege on cadre at all.

    // The hand-over of a loaded version table. Runs as the migration owner; refuses any
    // table the ingest role did not create under the generated name pattern, or that it
    // dressed up (grants, row security, triggers, rules) before handing it over.
    await q.query(`CREATE FUNCTION vault.finalise_version(table_name text) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
      DECLARE
        rel oid;
      BEGIN
        IF table_name !~ '^ds_[0-9a-f]{32}_v[1-9][0-9]{0,8}$' THEN
          RAISE EXCEPTION 'not a dataset version table name' USING ERRCODE = '22023';
        END IF;
        SELECT c.oid INTO rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'vault' AND c.relname = table_name AND c.relkind = 'r'
           AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = 'cadre_ingest')
           AND c.relacl IS NULL AND NOT c.relrowsecurity AND NOT c.relhastriggers AND NOT c.relhasrules;
        IF rel IS NULL THEN
          RAISE EXCEPTION 'no plain version table of the ingest role by that name' USING ERRCODE = '42501';
        END IF;
        IF EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = rel) THEN
          RAISE EXCEPTION 'version table carries row policies' USING ERRCODE = '42501';
        END IF;
        EXECUTE format('ALTER TABLE vault.%I OWNER TO cadre_vault', table_name);
        EXECUTE format('REVOKE ALL ON vault.%I FROM PUBLIC', table_name);
        EXECUTE format('GRANT SELECT ON vault.%I TO cadre_compute', table_name);
      END $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION vault.finalise_version(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION vault.finalise_version(text) TO cadre_ingest`);

    // Drops a finalised version table that no version references and no unfinished upload
    // will reference: what a crash between the vault commit and the governance commit leaves.
    await q.query(`CREATE FUNCTION vault.drop_orphan_version(table_name text) RETURNS boolean
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
      BEGIN
        IF table_name !~ '^ds_[0-9a-f]{32}_v[1-9][0-9]{0,8}$' THEN
          RAISE EXCEPTION 'not a dataset version table name' USING ERRCODE = '22023';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'vault' AND c.relname = table_name AND c.relkind = 'r'
                          AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = 'cadre_vault')) THEN
          RETURN false;
        END IF;
        IF EXISTS (SELECT 1 FROM cadre.dataset_versions v WHERE v.table_name = drop_orphan_version.table_name)
           OR EXISTS (SELECT 1 FROM cadre.uploads u WHERE u.table_name = drop_orphan_version.table_name
                        AND u.status IN ('queued','running')) THEN
          RETURN false;
        END IF;
        EXECUTE format('DROP TABLE vault.%I', table_name);
        RETURN true;
      END $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION vault.drop_orphan_version(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION vault.drop_orphan_version(text) TO cadre_ingest`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS vault.drop_orphan_version(text)`);
    await q.query(`DROP FUNCTION IF EXISTS vault.finalise_version(text)`);
    await q.query(`DROP TABLE IF EXISTS cadre.uploads`);
    await q.query(`ALTER TABLE cadre.datasets DROP CONSTRAINT IF EXISTS datasets_current_version_fk`);
    await q.query(`DROP TABLE IF EXISTS cadre.dataset_versions`);
    await q.query(`DROP TABLE IF EXISTS cadre.datasets`);
  }
}
