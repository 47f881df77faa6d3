import { Injectable } from '@nestjs/common';
import { accessCondition, type AppAbility } from '@cadre/access';
import type { Page } from '@cadre/common';
import { AuditService } from '../audit.service';
import type { AuditEventView } from '../audit-event';

/** Reading the log through the actor's ability: the scope is in the SQL, never filtered afterwards. */
@Injectable()
export class AuditReader {
  constructor(private readonly audit: AuditService) {}

  /** Events the actor may read (platform_admin: all; org_admin: those touching its organisation). */
  list(ability: AppAbility, query: { subjectType?: string; subjectId?: string; limit: number; offset: number }): Promise<Page<AuditEventView>> {
    const scope = accessCondition(ability, 'read', 'AuditEvent', { organisationIds: { array: 'e.organisation_ids' } });
    return this.audit.list({ ...query, scope });
  }
}
