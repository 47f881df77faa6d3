import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-use-case access contracts and their signatures. A use case has at most one
 * current contract per providing organisation; replaced ones stay for the record.
 * Signatures are never deleted: a change of terms voids them (voided_at).
 */
export class Contracts1764460005500 implements MigrationInterface {
  name = 'Contracts1764460005500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.contracts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      use_case_id uuid NOT NULL,
      provider_organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      requester_organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      status text NOT NULL DEFAULT 'pending_signatures'
        CHECK (status IN ('pending_signatures','active','terminated','expired','superseded')),
      is_current boolean NOT NULL DEFAULT true,
      terms jsonb NOT NULL,
      terms_sha256 text NOT NULL CHECK (terms_sha256 ~ '^[0-9a-f]{64}$'),
      terms_revision integer NOT NULL DEFAULT 1,
      valid_until timestamptz NOT NULL,
      activated_at timestamptz,
      ended_at timestamptz,
      ended_by uuid,
      end_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX contracts_one_current_per_provider ON cadre.contracts (use_case_id, provider_organisation_id) WHERE is_current`);
    await q.query(`CREATE INDEX contracts_use_case ON cadre.contracts (use_case_id)`);
    await q.query(`CREATE INDEX contracts_expiry ON cadre.contracts (valid_until) WHERE status IN ('pending_signatures','active')`);

    await q.query(`CREATE TABLE cadre.contract_signatures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contract_id uuid NOT NULL REFERENCES cadre.contracts(id),
      organisation_id uuid NOT NULL REFERENCES cadre.organisations(id),
      signer_user_id uuid NOT NULL,
      method text NOT NULL CHECK (method IN ('platform','organisation_key')),
      jws text NOT NULL,
      key_id text,
      terms_sha256 text NOT NULL CHECK (terms_sha256 ~ '^[0-9a-f]{64}$'),
      signed_at timestamptz NOT NULL,
      voided_at timestamptz,
      void_reason text
    )`);
    await q.query(`CREATE UNIQUE INDEX contract_signatures_one_per_party ON cadre.contract_signatures (contract_id, organisation_id) WHERE voided_at IS NULL`);
    // Signatures are evidence: the application may void one, never erase it.
    await q.query(`REVOKE DELETE ON cadre.contract_signatures FROM cadre_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.contract_signatures`);
    await q.query(`DROP TABLE cadre.contracts`);
  }
}
