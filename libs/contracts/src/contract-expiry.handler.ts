import { Injectable } from '@nestjs/common';
import { queryReturning } from '@cadre/common';
import { AuditService } from '@cadre/audit';
import { UseCasesService } from '@cadre/ethics';
import { Handler, JobHandler, UnitOfWork } from '@cadre/jobs';
import { CONTRACT_SUBJECT } from './contracts.service';

const BATCH = 200;

/**
 * The periodic 'expire-contracts' sweep: contracts past their validUntil become
 * `expired` (a pending one can no longer be signed, an active one grants nothing).
 * Guarded UPDATE, so a sweep that runs twice, or in two workers, expires each once.
 * An active use case losing a contract is suspended; one whose own window is over is
 * left to the use-case expiry sweep, which expires it.
 */
@Injectable()
@JobHandler('expire-contracts')
export class ExpireContractsHandler implements Handler<'expire-contracts'> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly useCases: UseCasesService,
  ) {}

  async handle(): Promise<void> {
    while ((await this.expireBatch()) === BATCH);
  }

  /** Expires up to BATCH due contracts in one transaction; answers how many. */
  async expireBatch(): Promise<number> {
    return this.uow.run(async (em) => {
      const expired = await queryReturning<{ id: string; use_case_id: string; provider_organisation_id: string; requester_organisation_id: string; previous_status: string }>(
        em,
        `WITH due AS (
           SELECT id, status FROM cadre.contracts
            WHERE status IN ('pending_signatures','active') AND valid_until <= now()
            ORDER BY valid_until LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
         UPDATE cadre.contracts c SET status = 'expired', ended_at = now(), end_reason = 'validity_ended', updated_at = now()
           FROM due WHERE c.id = due.id AND c.status = due.status
         RETURNING c.id, c.use_case_id, c.provider_organisation_id, c.requester_organisation_id, due.status AS previous_status`,
      );
      for (const c of expired) {
        await this.audit.append(em, {
          actorId: null,
          action: 'contract.expired',
          subjectType: CONTRACT_SUBJECT,
          subjectId: c.id,
          organisationIds: [c.provider_organisation_id, c.requester_organisation_id],
          data: { useCaseId: c.use_case_id, previousStatus: c.previous_status },
        });
      }
      const now = Date.now();
      for (const useCaseId of new Set(expired.filter((c) => c.previous_status === 'active').map((c) => c.use_case_id))) {
        const useCase = await this.useCases.snapshot(useCaseId, em);
        if (useCase.status === 'active' && useCase.endsAt.getTime() > now) {
          await this.useCases.setStatusFromContracts(em, useCaseId, 'suspended', null);
        }
      }
      return expired.length;
    });
  }
}
