import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only, hash-chained audit log and its signed checkpoints. The database
 * itself refuses UPDATE, DELETE and TRUNCATE (a trigger, for every role but a
 * superuser who disables it), and the API role is not even granted them.
 */
export class Audit1764460003000 implements MigrationInterface {
  name = 'Audit1764460003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.audit_events (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      at timestamptz NOT NULL,
      actor_id uuid,
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id text NOT NULL,
      organisation_ids uuid[] NOT NULL DEFAULT '{}',
      data jsonb NOT NULL DEFAULT '{}',
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL UNIQUE
    )`);
    await q.query(`CREATE INDEX audit_events_subject ON cadre.audit_events (subject_type, subject_id, seq)`);
    await q.query(`CREATE INDEX audit_events_organisations ON cadre.audit_events USING gin (organisation_ids)`);

    await q.query(`CREATE TABLE cadre.audit_checkpoints (
      seq bigint PRIMARY KEY,
      head_hash char(64) NOT NULL,
      jws text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE FUNCTION cadre.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON cadre.${table}
        FOR EACH ROW EXECUTE FUNCTION cadre.refuse_audit_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON cadre.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION cadre.refuse_audit_change()`);
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON cadre.${table} FROM cadre_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.audit_checkpoints`);
    await q.query(`DROP TABLE cadre.audit_events`);
    await q.query(`DROP FUNCTION cadre.refuse_audit_change()`);
  }
}
