import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Page } from '@cadre/common';
import { OrganisationsService } from '@cadre/members';
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
  /**
   * The disclosure parameters each provider's current contract binds (issue 13): a
   * computation runs under the strictest of these, the conditions and the platform's.
   */
  disclosure: ContractDisclosure[];
}

/** The public disclosure terms of one contract: known fields only. */
export interface ContractDisclosure {
  provider: string;
  minCellSize?: number;
  dominance?: { n?: number; k?: number };
  rounding?: number;
  privacy?: { mechanism?: string; epsilonTotal?: number; delta?: number; maxCellsPerPerson?: number };
  perturbation?: { maxDeviation?: number; variance?: number };
}

/**
 * The public register of approved use cases (open data). It reads only the public
 * columns: no team, no votes, no comments, no user ids.
 */
@Injectable()
export class RegisterService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly organisations: OrganisationsService,
  ) {}

  async list(limit: number, offset: number): Promise<Page<RegisterEntry>> {
    const rows: {
      id: string;
      title: string;
      purpose: string;
      requester_organisation_id: string;
      provider_organisation_ids: string[];
      decided_at: Date | null;
      conditions: DecisionConditions;
      disclosure: { provider: string; terms: Record<string, unknown> | null }[] | null;
    }[] =
      await this.db.query(
        `SELECT u.id, u.title, u.purpose, u.requester_organisation_id, u.provider_organisation_ids,
                (SELECT max(d.decided_at) FROM cadre.use_case_decisions d WHERE d.use_case_id = u.id AND d.outcome = 'approved') AS decided_at,
                u.conditions,
                (SELECT json_agg(json_build_object('provider', c.provider_organisation_id, 'terms', c.terms -> 'disclosure'))
                   FROM cadre.contracts c WHERE c.use_case_id = u.id AND c.is_current) AS disclosure
           FROM cadre.use_cases u
          WHERE u.status = ANY($1)
          ORDER BY decided_at DESC NULLS LAST, u.id
          LIMIT $2 OFFSET $3`,
        [REGISTERED_STATUSES, limit, offset],
      );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM cadre.use_cases WHERE status = ANY($1)`, [REGISTERED_STATUSES]);
    // Names come from the members context's public interface, not from its tables.
    const ids = rows.flatMap((r) => [r.requester_organisation_id, ...r.provider_organisation_ids, ...(r.disclosure ?? []).map((d) => d.provider)]);
    const names = await this.organisations.namesOf([...new Set(ids)]);
    const named = (ids: string[]) => ids.flatMap((id) => (names.has(id) ? [names.get(id)!] : [])).sort(byName);
    return {
      items: rows.map((r) => ({
        id: r.id,
        title: r.title,
        purpose: r.purpose,
        organisations: [
          ...named([r.requester_organisation_id]),
          ...named([...new Set(r.provider_organisation_ids)].filter((id) => id !== r.requester_organisation_id)),
        ],
        decisionDate: r.decided_at?.toISOString() ?? null,
        conditions: publicConditions(r.conditions),
        disclosure: (r.disclosure ?? [])
          .filter((d) => names.has(d.provider))
          .map((d) => ({ provider: names.get(d.provider)!, terms: d.terms }))
          .sort((a, b) => byName(a.provider, b.provider))
          .map((d) => publicDisclosure(d.provider, d.terms ?? {})),
      })),
      total,
    };
  }
}

/** The order PostgreSQL's ORDER BY name gave before (C collation: by code point). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Only the known condition fields reach the register, whatever the stored JSON holds. */
function publicConditions(c: DecisionConditions): DecisionConditions {
  const { minCellSize, rounding, maxEpsilon, forbiddenGroupBy, releaseMode } = c ?? {};
  const perturbation = pick(c?.perturbation, ['maxDeviation', 'variance']);
  return Object.fromEntries(
    Object.entries({ minCellSize, rounding, maxEpsilon, forbiddenGroupBy, releaseMode, perturbation }).filter(([, v]) => v !== undefined),
  ) as DecisionConditions;
}

/** The named numeric (or string) fields of an object, or undefined when none is there. */
function pick<K extends string>(o: unknown, keys: K[]): Partial<Record<K, number | string>> | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const out = Object.fromEntries(
    keys.map((k) => [k, (o as Record<string, unknown>)[k]]).filter(([, v]) => typeof v === 'number' || typeof v === 'string'),
  ) as Partial<Record<K, number | string>>;
  return Object.keys(out).length ? out : undefined;
}

function publicDisclosure(provider: string, d: Record<string, unknown>): ContractDisclosure {
  const entry = {
    provider,
    minCellSize: typeof d.minCellSize === 'number' ? d.minCellSize : undefined,
    dominance: pick(d.dominance, ['n', 'k']),
    rounding: typeof d.rounding === 'number' ? d.rounding : undefined,
    privacy: pick(d.privacy, ['mechanism', 'epsilonTotal', 'delta', 'maxCellsPerPerson']),
    perturbation: pick(d.perturbation, ['maxDeviation', 'variance']),
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as ContractDisclosure;
}

const CSV_COLUMNS = ['id', 'title', 'purpose', 'organisations', 'decisionDate', 'conditions', 'disclosure'] as const;

/** RFC 4180 CSV of the register; cells that a spreadsheet would run as a formula are neutralised. */
export function registerToCsv(entries: RegisterEntry[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = entries.map((e) =>
    [e.id, e.title, e.purpose, e.organisations.join('; '), e.decisionDate ?? '', JSON.stringify(e.conditions), JSON.stringify(e.disclosure)].map(cell).join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
