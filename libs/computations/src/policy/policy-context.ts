import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { ContractsService, UseCaseContract } from '@cadre/contracts';
import { DatasetsService } from '@cadre/datasets';
import { UseCaseSnapshot, UseCasesService } from '@cadre/ethics';
import { MembershipPolicy } from '@cadre/members';
import { ComputationRejected } from '../computations.errors';
import type { CatalogueDataset } from './policy';
import type { Plan } from '../planning/plan';
import { planComputation } from '../planning/planner';
import type { ComputationQuery } from '../query/query';
import { effectivePolicy, EffectivePolicy } from './policy';

/** Everything a computation is checked against, read at one moment. */
export interface PolicyContext {
  useCase: UseCaseSnapshot;
  contracts: UseCaseContract[];
  policy: EffectivePolicy;
}

/** Reads the use case, its current contracts and the catalogue, and derives the effective policy. */
@Injectable()
export class PolicyContextLoader {
  constructor(
    private readonly useCases: UseCasesService,
    private readonly contracts: ContractsService,
    private readonly datasets: DatasetsService,
    private readonly config: AppConfig,
    private readonly membership: MembershipPolicy,
  ) {}

  /** The cap on a result's rows (CADRE_MAX_RESULT_CELLS). */
  get maxCells(): number {
    return this.config.maxResultCells;
  }

  /**
   * Safe settings: the requester and every provider are active members adhering to the
   * current charter (the operator is exempt, as everywhere). Throws the rejection code
   * `organisation_suspended` or `charter_not_adhered`.
   */
  async assertMembers(ctx: PolicyContext, em?: EntityManager): Promise<void> {
    const ids = [...new Set([ctx.useCase.requesterOrganisationId, ...ctx.useCase.providerOrganisationIds, ...ctx.contracts.map((c) => c.providerOrganisationId)])];
    const standings = await this.membership.standingOf(ids, em);
    for (const id of ids) {
      const s = standings.find((x) => x.organisationId === id);
      if (s?.isOperator) continue;
      if (!s || s.status !== 'active') throw new ComputationRejected('organisation_suspended', 'An organisation of the use case is suspended');
      if (!s.adheresToCurrentCharter) throw new ComputationRejected('charter_not_adhered', 'An organisation of the use case does not adhere to the current charter');
    }
  }

  async load(useCase: UseCaseSnapshot, em?: EntityManager): Promise<PolicyContext> {
    const contracts = await this.contracts.forUseCase(useCase.id, em);
    return { useCase, contracts, policy: effectivePolicy(contracts.map((c) => c.terms), useCase.conditions, this.config.maxComputations) };
  }

  async snapshot(useCaseId: string, em?: EntityManager): Promise<UseCaseSnapshot> {
    return this.useCases.snapshot(useCaseId, em);
  }

  async catalogue(ids: string[]): Promise<CatalogueDataset[]> {
    return this.datasets.describe([...new Set(ids)]);
  }

  /** The query planned against the current catalogue, the use case's request and the effective policy (at submission and when the job runs). */
  async plan(query: ComputationQuery, ctx: PolicyContext): Promise<{ catalogue: CatalogueDataset[]; plan: Plan }> {
    const catalogue = await this.catalogue(query.datasets.map((d) => d.datasetId));
    const plan = planComputation(query, {
      catalogue,
      requestedDatasets: ctx.useCase.requestedDatasets,
      contracts: ctx.contracts.map((c) => c.terms),
      policy: ctx.policy,
      maxCells: this.maxCells,
    });
    return { catalogue, plan };
  }

  /**
   * The chain up to the data holds right now: the use case is active and inside its
   * window, every current contract is active and inside its validity. Throws the
   * rejection code (the HTTP layer turns it into 422, the worker into `rejected`).
   */
  assertRunnable(ctx: PolicyContext, now = new Date()): void {
    // Contracts first: a terminated contract also suspends the use case, and is the cause to report.
    const ok = (c: UseCaseContract) => c.status === 'active' && now >= new Date(c.terms.validFrom) && now < new Date(c.terms.validUntil);
    if (ctx.contracts.length === 0 || !ctx.contracts.every(ok)) {
      throw new ComputationRejected('contract_inactive', 'A contract of the use case is not active');
    }
    const u = ctx.useCase;
    if (u.status !== 'active' || now < u.startsAt || now >= u.endsAt) {
      throw new ComputationRejected('use_case_inactive', 'The use case is not active');
    }
  }

  /**
   * Safe people: the researcher must be on the use case team AND named by every contract
   * (a provider may narrow `researchers` in its terms; that binds as much as the team does).
   */
  assertResearcher(ctx: PolicyContext, userId: string): void {
    if (!ctx.useCase.teamUserIds.includes(userId)) {
      throw new ComputationRejected('not_permitted', 'The submitter is not in the use case team');
    }
    if (!ctx.contracts.every((c) => c.terms.researchers.includes(userId))) {
      throw new ComputationRejected('not_permitted', 'A contract of the use case does not name this researcher');
    }
  }
}
