import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { canonicalJson, InvalidInput, NotFound, Page, prepared, queryReturning, runPrepared, WrongState } from '@cadre/common';
import { AbilityFactory, accessCondition, authorize, FieldMap, subject } from '@cadre/access';
import { AuditService } from '@cadre/audit';
import { UseCasesService } from '@cadre/ethics';
import type { Actor } from '@cadre/identity';
import { UnitOfWork } from '@cadre/jobs';
import { OrganisationsService } from '@cadre/members';
import { ContractSignature } from './contract-signature.entity';
import { ContractStatus, ContractTerms, isoInstant, normaliseColumnSets } from './contract-terms';
import { Contract } from './contract.entity';
import { ContractView, termsSha256, toContractView } from './contract.views';
import { TermsNotStricter } from './contracts.errors';
import { looserFields, malformedFields, mergeTerms, nullPaths, TermsPatch } from './terms-policy';
import { termsShapeProblems } from './terms-schema';

/** A contract as the computations context needs it (ContractsService.forUseCase). */
export interface UseCaseContract {
  id: string;
  status: ContractStatus;
  providerOrganisationId: string;
  requesterOrganisationId: string;
  terms: ContractTerms;
}

/** Audit subject type of every contract event. */
export const CONTRACT_SUBJECT = 'Contract';

/** Read by every submission and twice by every run: prepared, only the columns the policy needs. */
const CURRENT_CONTRACTS = prepared(
  `SELECT id, status, provider_organisation_id, requester_organisation_id, terms FROM cadre.contracts
    WHERE use_case_id = $1 AND is_current ORDER BY created_at, id`,
);

/** Reads, term changes and termination of per-use-case access contracts. */
@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly abilities: AbilityFactory,
    private readonly useCases: UseCasesService,
    private readonly organisations: OrganisationsService,
  ) {}

  /**
   * The use case's current contracts, one per providing organisation, whatever their
   * status (a terminated or expired one stays current until an approval redrafts it):
   * trusted callers re-check `status === 'active'` and the window before any use.
   */
  async forUseCase(useCaseId: string, em: EntityManager = this.db.manager): Promise<UseCaseContract[]> {
    const rows = (await runPrepared(em, CURRENT_CONTRACTS, [useCaseId])) as {
      id: string;
      status: UseCaseContract['status'];
      provider_organisation_id: string;
      requester_organisation_id: string;
      terms: UseCaseContract['terms'];
    }[];
    return rows.map((c) => ({
      id: c.id,
      status: c.status,
      providerOrganisationId: c.provider_organisation_id,
      requesterOrganisationId: c.requester_organisation_id,
      terms: c.terms,
    }));
  }

  /**
   * Contracts of a use case the actor may read (the rules of @cadre/access, applied in SQL
   * so that `total` and paging count only those): all of them for the requester, the
   * committee and the platform admin; a provider its own. Nothing to read is a 404,
   * unless the actor would read every contract of the use case (it has none yet).
   */
  async listForUseCase(actor: Actor, useCaseId: string, limit: number, offset: number): Promise<Page<ContractView>> {
    const useCase = await this.useCases.snapshot(useCaseId); // NotFound for an unknown id
    const ability = this.abilities.createForActor(actor);
    const scope = accessCondition(ability, 'read', 'Contract', CONTRACT_FIELDS);
    const [rows, total] = await this.db
      .getRepository(Contract)
      .createQueryBuilder('c')
      .where('c.use_case_id = :useCaseId', { useCaseId })
      .andWhere(scope.where, scope.parameters)
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .take(limit)
      .skip(offset)
      .getManyAndCount();
    if (total === 0) {
      // '' is no organisation: a contract of this use case with any provider at all.
      authorize(ability, 'read', subject('Contract', { providerOrganisationId: '', requesterOrganisationId: useCase.requesterOrganisationId }), { notFound: 'Use case' });
    }
    return { items: await this.views(rows), total };
  }

  /** One contract, for its parties (and the committee and the platform admin). */
  async get(actor: Actor, id: string): Promise<ContractView> {
    const contract = await this.loadVisible(actor, id, this.db.manager);
    return (await this.views([contract]))[0];
  }

  /**
   * The provider's org_admin tightens the terms of a pending contract: the partial terms
   * merge into the current ones; anything looser is refused (422) with every loosened
   * field. A real change voids the signatures already given (kept, marked voided).
   */
  async amendTerms(actor: Actor, id: string, patch: TermsPatch): Promise<ContractView> {
    const nulls = nullPaths(patch);
    if (nulls.length) throw new InvalidInput('A term cannot be null', nulls.map((field) => ({ field, message: 'must not be null' })));
    await this.uow.run(async (em) => {
      const contract = await this.loadVisible(actor, id, em, true);
      this.assertMay(actor, 'update', contract);
      if (contract.status !== 'pending_signatures') throw new WrongState('Contract', contract.status, 'change its terms');

      const merged = mergeTerms(contract.terms, patch);
      // The comparison below runs only on complete, well-formed terms (closed schema).
      const shape = termsShapeProblems(merged);
      if (shape.length) throw new InvalidInput('Malformed terms', shape);
      if (merged.disclosure.forbiddenGroupBy) merged.disclosure.forbiddenGroupBy = normaliseColumnSets(merged.disclosure.forbiddenGroupBy);
      try {
        merged.validFrom = isoInstant(merged.validFrom);
        merged.validUntil = isoInstant(merged.validUntil);
      } catch {
        throw new InvalidInput('Invalid date', [{ field: 'terms.validFrom', message: 'must be a date' }]);
      }
      const malformed = malformedFields(merged);
      if (malformed.length) throw new InvalidInput('Malformed terms', malformed);
      const looser = looserFields(contract.terms, merged);
      if (looser.length) throw new TermsNotStricter(looser);
      if (canonicalJson(merged) === canonicalJson(contract.terms)) return;

      const changed = changedPaths(contract.terms, merged);
      const sha = termsSha256(merged);
      await em.getRepository(Contract).update(
        { id },
        { terms: merged, termsSha256: sha, termsRevision: contract.termsRevision + 1, validUntil: new Date(merged.validUntil) },
      );
      const voided = await queryReturning<{ organisation_id: string }>(
        em,
        `UPDATE cadre.contract_signatures SET voided_at = now(), void_reason = 'terms_changed'
          WHERE contract_id = $1 AND voided_at IS NULL RETURNING organisation_id`,
        [id],
      );
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'contract.terms_amended',
        subjectType: CONTRACT_SUBJECT,
        subjectId: id,
        organisationIds: [contract.providerOrganisationId, contract.requesterOrganisationId],
        data: { useCaseId: contract.useCaseId, termsRevision: contract.termsRevision + 1, termsSha256: sha, changed, voidedSignaturesOf: voided.map((v) => v.organisation_id) },
      });
    });
    return this.get(actor, id);
  }

  /**
   * Ends a contract at once (provider org_admin or platform admin). An active use case
   * is suspended: computations of its queue are refused when they run, because the
   * worker re-reads the contracts (forUseCase) before touching any data.
   */
  async terminate(actor: Actor, id: string, reason: string): Promise<ContractView> {
    await this.uow.run(async (em) => {
      const contract = await this.loadVisible(actor, id, em, true);
      this.assertMay(actor, 'terminate', contract);
      const updated = await queryReturning(
        em,
        `UPDATE cadre.contracts SET status = 'terminated', ended_at = now(), ended_by = $2, end_reason = $3, updated_at = now()
          WHERE id = $1 AND status IN ('pending_signatures','active') RETURNING id`,
        [id, actor.id, reason],
      );
      if (!updated.length) throw new WrongState('Contract', contract.status, 'terminate');
      await this.audit.append(em, {
        actorId: actor.id,
        action: 'contract.terminated',
        subjectType: CONTRACT_SUBJECT,
        subjectId: id,
        organisationIds: [contract.providerOrganisationId, contract.requesterOrganisationId],
        data: { useCaseId: contract.useCaseId, previousStatus: contract.status, reason },
      });
      const useCase = await this.useCases.snapshot(contract.useCaseId, em);
      if (useCase.status === 'active') await this.useCases.setStatusFromContracts(em, contract.useCaseId, 'suspended', actor.id);
    });
    return this.get(actor, id);
  }

  /** Loads a contract the actor may read, optionally locked; 404 otherwise (never tells which). */
  async loadVisible(actor: Actor, id: string, em: EntityManager, lock = false): Promise<Contract> {
    const contract = await em.getRepository(Contract).findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!contract) throw new NotFound('Contract');
    authorize(this.abilities.createForActor(actor), 'read', subject('Contract', pick(contract)), { notFound: 'Contract' });
    return contract;
  }

  /** 403 when the actor may see the contract but not do this to it (the rules live in @cadre/access). */
  assertMay(actor: Actor, action: 'update' | 'terminate' | 'sign', contract: Contract, detail = `You may not ${action} this contract`): void {
    authorize(this.abilities.createForActor(actor), action, subject('Contract', pick(contract)), detail);
  }

  /** Views of loaded contracts, with their signatures and the parties' names. */
  async views(contracts: Contract[], em: EntityManager = this.db.manager): Promise<ContractView[]> {
    if (!contracts.length) return [];
    const signatures = await em.getRepository(ContractSignature).find({ where: { contractId: In(contracts.map((c) => c.id)) } });
    const orgIds = [...new Set(contracts.flatMap((c) => [c.providerOrganisationId, c.requesterOrganisationId]))];
    const names = new Map((await this.organisations.findByIds(orgIds, em)).map((o) => [o.id, o.name]));
    return contracts.map((c) => toContractView(c, signatures, names));
  }
}

/** The contract's fields the access rules read, as SQL over alias `c`. */
const CONTRACT_FIELDS: FieldMap<'Contract'> = {
  providerOrganisationId: 'c.provider_organisation_id',
  requesterOrganisationId: 'c.requester_organisation_id',
};

function pick(c: Contract) {
  return { providerOrganisationId: c.providerOrganisationId, requesterOrganisationId: c.requesterOrganisationId };
}

/** Dotted paths whose value differs between two terms objects (arrays compared whole). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonicalJson(a ?? null) === canonicalJson(b ?? null) ? [] : [prefix];
}
