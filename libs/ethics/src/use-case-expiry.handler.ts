import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@cadre/audit';
import { queryReturning } from '@cadre/common';
import { Handler, JobHandler, UnitOfWork } from '@cadre/jobs';
import { nextStatus, statusesAllowing } from './use-case-status';

/**
 * The periodic sweep that ends use cases past their end date (safe projects: a use
 * case runs only until its approved period ends). Guarded and idempotent: a second
 * run finds nothing to do.
 */
@Injectable()
@JobHandler('expire-use-cases')
export class UseCaseExpiryHandler implements Handler<'expire-use-cases'> {
  private readonly logger = new Logger(UseCaseExpiryHandler.name);

  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  async handle(): Promise<void> {
    const from = statusesAllowing('expire');
    const to = nextStatus(from[0], 'expire');
    const expired = await this.uow.run(async (em) => {
      const rows = await queryReturning<{ id: string; from: string; requester: string; providers: string[]; ends_at: Date }>(
        em,
        `WITH due AS (
           SELECT id, status FROM cadre.use_cases
            WHERE ends_at <= now() AND status = ANY($1) ORDER BY ends_at LIMIT 500 FOR UPDATE SKIP LOCKED)
         UPDATE cadre.use_cases u SET status = $2, updated_at = now()
           FROM due WHERE u.id = due.id AND u.status = due.status
         RETURNING u.id, due.status AS "from", u.requester_organisation_id AS requester,
                   u.provider_organisation_ids::text[] AS providers, u.ends_at`,
        [from, to],
      );
      for (const r of rows) {
        await this.audit.append(em, {
          actorId: null,
          action: 'use_case.expired',
          subjectType: 'UseCase',
          subjectId: r.id,
          organisationIds: [...new Set([r.requester, ...r.providers])],
          data: { from: r.from, to, endsAt: r.ends_at.toISOString() },
        });
      }
      return rows.length;
    });
    if (expired) this.logger.log({ expired }, 'use cases expired');
  }
}
