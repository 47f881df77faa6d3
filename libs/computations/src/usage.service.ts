import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Row counts are shown rounded, as the catalogue shows them. */
const ROW_ROUNDING = 10;
const roundRows = (n: number) => Math.round(n / ROW_ROUNDING) * ROW_ROUNDING;

export interface MemberUsage {
  organisationId: string;
  name: string;
  college: string;
  /** Computations submitted by the member's researchers. */
  computations: number;
  /** Computations that used at least one of the member's datasets. */
  computationsOnItsData: number;
  datasets: number;
  /** Rows of the current versions of its datasets, rounded to 10. */
  rowsContributed: number;
  /** Epsilon spent by the use cases it requested. */
  epsilonSpent: number;
}

export interface UseCaseUsage {
  useCaseId: string;
  title: string;
  status: string;
  requesterOrganisationId: string;
  computations: number;
  released: number;
  rejected: number;
  epsilonSpent: number;
}

export interface UsageView {
  members: MemberUsage[];
  useCases: UseCaseUsage[];
  generatedAt: Date;
}

/**
 * The operator's usage dashboard: aggregate numbers only (counts, rounded row totals,
 * epsilon), the basis of cost and value sharing between members. No row, no query.
 */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async usage(): Promise<UsageView> {
    const members: Record<string, unknown>[] = await this.db.query(`
      SELECT o.id, o.name, o.college,
        (SELECT count(*) FROM cadre.computations c JOIN cadre.users u ON u.id = c.submitted_by WHERE u.organisation_id = o.id)::int AS computations,
        (SELECT count(*) FROM cadre.computations c WHERE o.id = ANY(c.provider_organisation_ids))::int AS on_its_data,
        (SELECT count(*) FROM cadre.datasets d WHERE d.organisation_id = o.id)::int AS datasets,
        (SELECT COALESCE(sum(v.row_count), 0) FROM cadre.datasets d JOIN cadre.dataset_versions v ON v.id = d.current_version_id WHERE d.organisation_id = o.id)::bigint AS rows,
        (SELECT COALESCE(sum(l.epsilon), 0) FROM cadre.privacy_budget_ledger l JOIN cadre.use_cases uc ON uc.id = l.use_case_id WHERE uc.requester_organisation_id = o.id)::float8 AS epsilon
      FROM cadre.organisations o ORDER BY o.name`);
    const useCases: Record<string, unknown>[] = await this.db.query(`
      SELECT uc.id, uc.title, uc.status, uc.requester_organisation_id,
        count(c.id)::int AS computations,
        count(c.id) FILTER (WHERE c.status = 'released')::int AS released,
        count(c.id) FILTER (WHERE c.status = 'rejected')::int AS rejected,
        (SELECT COALESCE(sum(l.epsilon), 0) FROM cadre.privacy_budget_ledger l WHERE l.use_case_id = uc.id)::float8 AS epsilon
      FROM cadre.use_cases uc LEFT JOIN cadre.computations c ON c.use_case_id = uc.id
      WHERE uc.status <> 'draft'
      GROUP BY uc.id ORDER BY uc.created_at DESC`);
    return {
      members: members.map((m) => ({
        organisationId: String(m.id),
        name: String(m.name),
        college: String(m.college),
        computations: Number(m.computations),
        computationsOnItsData: Number(m.on_its_data),
        datasets: Number(m.datasets),
        rowsContributed: roundRows(Number(m.rows)),
        epsilonSpent: Number(m.epsilon),
      })),
      useCases: useCases.map((u) => ({
        useCaseId: String(u.id),
        title: String(u.title),
        status: String(u.status),
        requesterOrganisationId: String(u.requester_organisation_id),
        computations: Number(u.computations),
        released: Number(u.released),
        rejected: Number(u.rejected),
        epsilonSpent: Number(u.epsilon),
      })),
      generatedAt: new Date(),
    };
  }
}
