import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Page } from '@cadre/common';
import type { DecisionConditions } from './conditions';
import { REGISTERED_STATUSES } from './use-case-status';

/** One line of the public register: what the public may know, and nothing else. */
export interface RegisterEntry {
  id: string;
  title: string;
  purpose: string;
  /** Names of the requesting organisation, then of the providers. */
  organisations: string[];
  /** When the use case was (last) approved. */
  decisionDate: string | null;
  conditions: DecisionConditions;
}

/**
 * The public register of approved use cases (open data). It reads only the public
 * columns: no team, no votes, no comments, no user ids.
 */
@Injectable()
export class RegisterService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(limit: number, offset: number): Promise<Page<RegisterEntry>> {
    const rows: { id: string; title: string; purpose: string; requester: string; providers: string[] | null; decided_at: Date | null; conditions: DecisionConditions }[] =
      await this.db.query(
        `SELECT u.id, u.title, u.purpose, r.name AS requester,
                (SELECT array_agg(p.name ORDER BY p.name) FROM cadre.organisations p
                  WHERE p.id = ANY(u.provider_organisation_ids) AND p.id <> u.requester_organisation_id) AS providers,
                (SELECT max(d.decided_at) FROM cadre.use_case_decisions d WHERE d.use_case_id = u.id AND d.outcome = 'approved') AS decided_at,
                u.conditions
           FROM cadre.use_cases u JOIN cadre.organisations r ON r.id = u.requester_organisation_id
          WHERE u.status = ANY($1)
          ORDER BY decided_at DESC NULLS LAST, u.id
          LIMIT $2 OFFSET $3`,
        [REGISTERED_STATUSES, limit, offset],
      );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM cadre.use_cases WHERE status = ANY($1)`, [REGISTERED_STATUSES]);
    return {
      items: rows.map((r) => ({
        id: r.id,
        title: r.title,
        purpose: r.purpose,
        organisations: [r.requester, ...(r.providers ?? [])],
        decisionDate: r.decided_at?.toISOString() ?? null,
        conditions: publicConditions(r.conditions),
      })),
      total,
    };
  }
}

/** Only the known condition fields reach the register, whatever the stored JSON holds. */
function publicConditions(c: DecisionConditions): DecisionConditions {
  const { minCellSize, rounding, maxEpsilon, forbiddenGroupBy, releaseMode } = c ?? {};
  return Object.fromEntries(
    Object.entries({ minCellSize, rounding, maxEpsilon, forbiddenGroupBy, releaseMode }).filter(([, v]) => v !== undefined),
  ) as DecisionConditions;
}

const CSV_COLUMNS = ['id', 'title', 'purpose', 'organisations', 'decisionDate', 'conditions'] as const;

/** RFC 4180 CSV of the register; cells that a spreadsheet would run as a formula are neutralised. */
export function registerToCsv(entries: RegisterEntry[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = entries.map((e) =>
    [e.id, e.title, e.purpose, e.organisations.join('; '), e.decisionDate ?? '', JSON.stringify(e.conditions)].map(cell).join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
