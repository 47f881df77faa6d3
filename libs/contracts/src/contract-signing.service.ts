import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { queryReturning, WrongState } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import { UseCasesService } from '@cadre/ethics';
import { Signer } from '@cadre/identity';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { MembershipPolicy, OrganisationKeysService } from '@cadre/members';
import { ContractSignature, SignatureMethod } from './contract-signature.entity';
import { Contract } from './contract.entity';
import { requiredParties, SignatureView, termsSha256, toSignatureView, VerificationView } from './contract.views';
import { AlreadySigned, ContractWindowOver, InvalidSignature } from './contracts.errors';
import { CONTRACT_SUBJECT, ContractsService } from './contracts.service';

/** The record the platform signs when it attests a party's signature. */
export interface PlatformSignatureRecord {
  type: 'cadre.contract_signature';
  contractId: string;
  organisationId: string;
  signerUserId: string;
  termsSha256: string;
  signedAt: string;
}

/** Use case states in which its contracts may be signed (not while an amendment is under review). */
const SIGNABLE_USE_CASE = new Set(['approved', 'active', 'suspended']);

/** Signatures of contract terms, by the platform's key or by the organisation's own, and their verification. */
@Injectable()
export class ContractSigningService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly contracts: ContractsService,
    private readonly useCases: UseCasesService,
    private readonly membership: MembershipPolicy,
    private readonly orgKeys: OrganisationKeysService,
    private readonly signer: Signer,
  ) {}

  /**
   * An org_admin of the provider or the requester signs the current terms: `{}` → the
   * platform attests (Signer JWS over {contractId, organisationId, signerUserId,
   * termsSha256, signedAt}); `{jws}` → verified against the organisation's registered
   * keys. When every party has signed the contract turns active, and when every
   * current contract of the use case is active the use case does too.
   */
  async sign(actor: Actor, id: string, input: { jws?: string }): Promise<SignatureView> {
    return this.uow.run(async (em) => {
      const found = await this.contracts.loadVisible(actor, id, em);
      // Serialise signatures within a use case so that "all contracts active" is decided once.
      await em.query(`SELECT id FROM cadre.contracts WHERE use_case_id = $1 AND is_current ORDER BY id FOR UPDATE`, [found.useCaseId]);
      const contract = await em.getRepository(Contract).findOneByOrFail({ id });
      const organisationId = actor.organisationId;
      // The parties' org_admins only (a data steward or a researcher of a party is refused too).
      this.contracts.assertMay(actor, 'sign', contract, 'Only the parties sign a contract');
      if (contract.status !== 'pending_signatures') throw new WrongState('Contract', contract.status, 'sign');
      if (contract.validUntil.getTime() <= Date.now()) throw new ContractWindowOver();
      const useCase = await this.useCases.snapshot(contract.useCaseId, em);
      if (!SIGNABLE_USE_CASE.has(useCase.status)) throw new WrongState('Use case', useCase.status, 'sign its contracts');
      await this.membership.assertCanAct(organisationId, 'sign_contract', em);
      const repo = em.getRepository(ContractSignature);
      if (await repo.existsBy({ contractId: id, organisationId, voidedAt: IsNull() })) throw new AlreadySigned();

      const sha = termsSha256(contract.terms);
      const signedAt = new Date();
      let method: SignatureMethod;
      let jws: string;
      let keyId: string | null;
      if (input.jws) {
        keyId = await this.verifyOrganisationJws(input.jws, contract, organisationId, em, signedAt);
        if (!keyId) throw new InvalidSignature('The JWS does not verify with a key of the organisation, or covers other terms');
        method = 'organisation_key';
        jws = input.jws;
      } else {
        const record: PlatformSignatureRecord = {
          type: 'cadre.contract_signature',
          contractId: id,
          organisationId,
          signerUserId: actor.id,
          termsSha256: sha,
          signedAt: signedAt.toISOString(),
        };
        jws = await this.signer.sign(record);
        keyId = (decodeProtectedHeader(jws).kid as string | undefined) ?? null;
        method = 'platform';
      }
      const signature = await repo.save(
        repo.create({ contractId: id, organisationId, signerUserId: actor.id, method, jws, keyId, termsSha256: sha, signedAt, voidedAt: null, voidReason: null }),
      );
      const parties = [contract.providerOrganisationId, contract.requesterOrganisationId];
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'contract.signed',
        subjectType: CONTRACT_SUBJECT,
        subjectId: id,
        organisationIds: parties,
        data: { useCaseId: contract.useCaseId, organisationId, method, keyId, termsSha256: sha, termsRevision: contract.termsRevision },
      });

      const signedBy = new Set((await repo.findBy({ contractId: id, voidedAt: IsNull() })).map((s) => s.organisationId));
      if (requiredParties(contract).every((org) => signedBy.has(org))) {
        await this.activate(em, contract, actor.id);
      }
      return toSignatureView(signature);
    });
  }

  /** Re-verifies every current signature against the current terms (platform ones with the JWKS keys). */
  async verification(actor: Actor, id: string): Promise<VerificationView> {
    const em = this.db.manager;
    const contract = await this.contracts.loadVisible(actor, id, em);
    const signatures = await em.getRepository(ContractSignature).find({ where: { contractId: id, voidedAt: IsNull() }, order: { signedAt: 'ASC' } });
    const results = await Promise.all(
      signatures.map(async (s) => ({
        organisationId: s.organisationId,
        method: s.method,
        valid: s.method === 'platform' ? await this.verifyPlatformJws(s, contract) : !!(await this.verifyOrganisationJws(s.jws, contract, s.organisationId, em, s.signedAt)),
      })),
    );
    const signed = new Set(results.filter((r) => r.valid).map((r) => r.organisationId));
    const complete = requiredParties(contract).every((org) => signatures.some((s) => s.organisationId === org));
    return {
      valid: complete && results.every((r) => r.valid) && requiredParties(contract).every((org) => signed.has(org)),
      complete,
      termsSha256: termsSha256(contract.terms),
      signatures: results,
    };
  }

  private async activate(em: EntityManager, contract: Contract, actorId: string): Promise<void> {
    const rows = await queryReturning(
      em,
      `UPDATE cadre.contracts SET status = 'active', activated_at = now(), updated_at = now() WHERE id = $1 AND status = 'pending_signatures' RETURNING id`,
      [contract.id],
    );
    if (!rows.length) return;
    await this.audit.append(em, {
      actorId,
      action: 'contract.activated',
      subjectType: CONTRACT_SUBJECT,
      subjectId: contract.id,
      organisationIds: [contract.providerOrganisationId, contract.requesterOrganisationId],
      data: { useCaseId: contract.useCaseId, termsSha256: contract.termsSha256 },
    });
    const current = await this.contracts.forUseCase(contract.useCaseId, em);
    const useCase = await this.useCases.snapshot(contract.useCaseId, em);
    if (current.every((c) => c.status === 'active') && (useCase.status === 'approved' || useCase.status === 'suspended')) {
      await this.useCases.setStatusFromContracts(em, contract.useCaseId, 'active', actorId);
    }
  }

  /** A platform-attested signature is valid when the JWKS verifies it and it names this contract, party and terms. */
  private async verifyPlatformJws(s: ContractSignature, contract: Contract): Promise<boolean> {
    const result = await this.signer.verify(s.jws);
    const p = result.payload as Partial<PlatformSignatureRecord> | undefined;
    return (
      result.valid &&
      !!p &&
      p.type === 'cadre.contract_signature' &&
      p.contractId === contract.id &&
      p.organisationId === s.organisationId &&
      p.termsSha256 === termsSha256(contract.terms)
    );
  }

  /**
   * The key id that verifies an organisation's JWS over this contract's current terms
   * (payload: {contractId, useCaseId, providerOrganisationId, requesterOrganisationId, termsSha256}), or null.
   */
  private async verifyOrganisationJws(jws: string, contract: Contract, organisationId: string, em: EntityManager, signedAt: Date): Promise<string | null> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(jws).kid;
    } catch {
      return null;
    }
    // A key revoked before the signature was made does not count; one revoked later still verifies it.
    const keys = (await this.orgKeys.keysOf(organisationId, em)).filter(
      (k) => (kid === undefined || k.kid === kid) && (!k.revokedAt || k.revokedAt.getTime() > signedAt.getTime()),
    );
    for (const key of keys) {
      try {
        const publicKey = await importJWK(key.jwk, key.alg);
        const { payload } = await compactVerify(jws, publicKey, { algorithms: [key.alg] });
        if (coversTerms(JSON.parse(new TextDecoder().decode(payload)), contract)) return key.kid;
        return null;
      } catch {
        continue;
      }
    }
    return null;
  }
}

/**
 * Whether a signed payload binds exactly this contract: it must name the contract, the use
 * case, both parties and the hash of the current terms. Terms alone (or a subset of these
 * names) are refused: such a JWS could be replayed on another contract with equal terms.
 */
export function coversTerms(payload: unknown, contract: Pick<Contract, 'id' | 'useCaseId' | 'providerOrganisationId' | 'requesterOrganisationId' | 'terms'>): boolean {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const p = payload as Record<string, unknown>;
  return (
    p.contractId === contract.id &&
    p.useCaseId === contract.useCaseId &&
    p.providerOrganisationId === contract.providerOrganisationId &&
    p.requesterOrganisationId === contract.requesterOrganisationId &&
    p.termsSha256 === termsSha256(contract.terms)
  );
}
