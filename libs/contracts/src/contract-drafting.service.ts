import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PolicyViolation } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { AuditService } from '@cadre/audit';
import { DatasetsService } from '@cadre/datasets';
import { SignedDecision, UseCaseLifecycle, UseCasesService, UseCaseSnapshot } from '@cadre/ethics';
import { ContractTerms, draftTerms } from './contract-terms';
import { Contract } from './contract.entity';
import { termsSha256 } from './contract.views';
import { CONTRACT_SUBJECT } from './contracts.service';
import { stillFits } from './terms-policy';

/**
 * Drafts the contracts of an approved use case, inside the decision's transaction:
 * one per providing organisation (owner of a requested dataset), its terms the
 * provider's slice of the request under the platform defaults tightened by the
 * decision's conditions.
 *
 * Re-approval after an amendment: a current contract (pending or active) that still
 * fits the new approval — the same scope (datasets, columns, purpose, researchers,
 * window) and at least as strict as a fresh draft — is kept with its signatures, so an
 * amendment that changes nothing for a provider costs it nothing. Any other current
 * contract is superseded (status `superseded`, no longer current) and a new one is
 * drafted, to be signed again: a provider never ends up bound to, or granting, more or
 * less than the committee approved. A provider that no longer provides anything has its
 * contract superseded. Terminated or expired contracts are never revived: a new one is
 * drafted. When every kept contract is active, the use case goes straight back to active.
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
    const byProvider = new Map(current.map((c) => [c.providerOrganisationId, c]));
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
      const keep = terms && old.requesterOrganisationId === snapshot.requesterOrganisationId && ['pending_signatures', 'active'].includes(old.status) && stillFits(old.terms, terms);
      if (keep) continue;
      const supersede = old.status === 'pending_signatures' || old.status === 'active';
      await em.query(
        `UPDATE cadre.contracts SET is_current = false, updated_at = now()
           ${supersede ? `, status = 'superseded', ended_at = now(), end_reason = 'superseded_by_reapproval'` : ''}
          WHERE id = $1`,
        [old.id],
      );
      byProvider.delete(old.providerOrganisationId);
      if (supersede) await event(old, 'contract.superseded', { previousStatus: old.status });
    }

    for (const [providerOrganisationId, terms] of fresh) {
      if (byProvider.has(providerOrganisationId)) continue;
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

    const kept = [...byProvider.values()];
    if (kept.length && kept.length === fresh.size && kept.every((c) => c.status === 'active')) {
      await this.useCases.setStatusFromContracts(em, snapshot.id, 'active', null);
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
