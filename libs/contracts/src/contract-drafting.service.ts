import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PolicyViolation } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { AuditService } from '@cadre/audit';
import { DatasetsService } from '@cadre/datasets';
import { SignedDecision, UseCaseLifecycle, UseCasesService, UseCaseSnapshot } from '@cadre/ethics';
import { ContractTerms, draftTerms, normaliseColumnSets } from './contract-terms';
import { Contract } from './contract.entity';
import { termsSha256 } from './contract.views';
import { CONTRACT_SUBJECT } from './contracts.service';
import { looserFields } from './terms-policy';

/**
 * Drafts the contracts of an approved use case, inside the decision's transaction:
 * one per providing organisation (owner of a requested dataset), its terms the
 * provider's slice of the request under the platform defaults tightened by the
 * decision's conditions.
 *
 * Re-approval after an amendment (a change of the request, of the conditions, or both):
 * every current contract is superseded (status `superseded`, no longer current) and a
 * new one is drafted from the new request and the carried-over (or explicitly replaced)
 * conditions, to be signed again by every party: nobody stays bound to, or granting,
 * terms the committee did not approve in this round, and no signature carries over.
 * A provider's own tightenings of the superseded terms (stricter disclosure) are kept in
 * the new draft, unless the round explicitly replaced the conditions (then all is fresh). Terminated or expired contracts are never revived.
 *
 * An amendment reopening the review changes nothing here: the use case is no longer
 * active, so computations stop and contracts cannot be signed until it is approved again.
 */
@Injectable()
export class ContractDraftingService implements OnModuleInit {
  constructor(
    private readonly lifecycle: UseCaseLifecycle,
    private readonly useCases: UseCasesService,
    private readonly datasets: DatasetsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.lifecycle.onApproved((em, snapshot, decision) => this.onApproved(em, snapshot, decision));
  }

  /** Drafts (or keeps) one contract per provider of the approved use case. */
  async onApproved(em: EntityManager, snapshot: UseCaseSnapshot, decision: SignedDecision): Promise<void> {
    const fresh = await this.freshTerms(snapshot, decision);
    const repo = em.getRepository(Contract);
    const current = await repo.find({ where: { useCaseId: snapshot.id, isCurrent: true }, lock: { mode: 'pessimistic_write' } });
    const event = (contract: Pick<Contract, 'id' | 'providerOrganisationId' | 'requesterOrganisationId'>, action: string, data: Record<string, unknown>) =>
      this.audit.append(em, {
        actorId: null,
        action,
        subjectType: CONTRACT_SUBJECT,
        subjectId: contract.id,
        organisationIds: [contract.providerOrganisationId, contract.requesterOrganisationId],
        data: { useCaseId: snapshot.id, decisionRound: decision.round, ...data },
      });

    for (const old of current) {
      const terms = fresh.get(old.providerOrganisationId);
      // A provider's tightenings survive a re-draft, unless the round explicitly replaced the conditions.
      if (terms && old.status !== 'terminated' && !decision.conditionsReplaced) terms.disclosure = stricterDisclosure(terms.disclosure, old.terms.disclosure);
      const supersede = old.status === 'pending_signatures' || old.status === 'active';
      await em.query(
        `UPDATE cadre.contracts SET is_current = false, updated_at = now()
           ${supersede ? `, status = 'superseded', ended_at = now(), end_reason = 'superseded_by_reapproval'` : ''}
          WHERE id = $1`,
        [old.id],
      );
      if (supersede) await event(old, 'contract.superseded', { previousStatus: old.status });
    }

    for (const [providerOrganisationId, terms] of fresh) {
      const sha = termsSha256(terms);
      const contract = await repo.save(
        repo.create({
          useCaseId: snapshot.id,
          providerOrganisationId,
          requesterOrganisationId: snapshot.requesterOrganisationId,
          status: 'pending_signatures',
          isCurrent: true,
          terms,
          termsSha256: sha,
          termsRevision: 1,
          validUntil: new Date(terms.validUntil),
          activatedAt: null,
          endedAt: null,
          endedBy: null,
          endReason: null,
        }),
      );
      await event(contract, 'contract.drafted', { termsSha256: sha });
    }
  }

  /** The terms a fresh approval gives each provider. */
  private async freshTerms(snapshot: UseCaseSnapshot, decision: SignedDecision): Promise<Map<string, ContractTerms>> {
    const ids = [...new Set(snapshot.requestedDatasets.map((d) => d.datasetId))];
    const described = new Map((await this.datasets.describe(ids)).map((d) => [d.id, d]));
    const slices = new Map<string, { datasetId: string; columns: string[] }[]>();
    for (const requested of snapshot.requestedDatasets) {
      const dataset = described.get(requested.datasetId);
      if (!dataset) throw new PolicyViolation('dataset_unavailable', 'A requested dataset no longer exists: the use case cannot be contracted');
      const slice = slices.get(dataset.organisationId) ?? [];
      slice.push({ datasetId: requested.datasetId, columns: requested.columns });
      slices.set(dataset.organisationId, slice);
    }
    const conditions = decision.conditions ?? snapshot.conditions ?? {};
    const result = new Map<string, ContractTerms>();
    for (const [provider, datasets] of slices) {
      result.set(
        provider,
        draftTerms({
          datasets,
          purpose: snapshot.purpose,
          researchers: snapshot.teamUserIds,
          startsAt: snapshot.startsAt,
          endsAt: snapshot.endsAt,
          conditions,
          maxComputations: this.config.maxComputations,
        }),
      );
    }
    return result;
  }
}

/**
 * The fresh disclosure terms, keeping each field in which the superseded contract was
 * stricter (a provider's tightening survives a re-draft; nothing of the old terms loosens the new).
 */
function stricterDisclosure(fresh: ContractTerms['disclosure'], old: ContractTerms['disclosure']): ContractTerms['disclosure'] {
  const out = structuredClone(fresh);
  const probe = (d: ContractTerms['disclosure']) => ({ ...PROBE_TERMS, disclosure: d }) as ContractTerms;
  for (const field of looserFields(probe(old), probe(fresh)).map((p) => p.field)) {
    const path = field.replace(/^terms\.disclosure\./, '').split('.');
    let src: Record<string, unknown> = old as unknown as Record<string, unknown>;
    let dst: Record<string, unknown> = out as unknown as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      src = src[key] as Record<string, unknown>;
      dst[key] ??= {};
      dst = dst[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    if (last === 'forbiddenGroupBy') out.forbiddenGroupBy = normaliseColumnSets([...(fresh.forbiddenGroupBy ?? []), ...(old.forbiddenGroupBy ?? [])]);
    else dst[last] = structuredClone(src[last]);
  }
  return out;
}

const PROBE_TERMS: Omit<ContractTerms, 'disclosure'> = {
  datasets: [],
  purpose: '',
  researchers: [],
  validFrom: '1970-01-01T00:00:00.000Z',
  validUntil: '1970-01-02T00:00:00.000Z',
  maxComputations: 0,
  releaseMode: 'automatic',
};
