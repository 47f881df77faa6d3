import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Page } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { auditAppendDuration } from '@cadre/metrics';
import { ChainCheckpointRef, ChainVerifier, ChainedEvent, GENESIS_HASH, hashEvent } from './audit-chain';
import { PublishedHeads } from './published-heads';
import type { AuditCheckpointView, AuditEventFilter, AuditEventInput, AuditEventView, AuditVerification } from './audit-event';

/** Advisory lock that serialises appends, so the chain stays linear under concurrency. */
const AUDIT_CHAIN_LOCK = 727_274_003;
const VERIFY_BATCH = 1000;

interface EventRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  organisation_ids: string[];
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function toView(row: EventRow): AuditEventView {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    organisationIds: row.organisation_ids,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The append-only, hash-chained audit log. */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly published: PublishedHeads,
  ) {}

  /**
   * Appends one event inside the caller's transaction (required). Takes a transaction-scoped
   * lock until that transaction ends, so call it once the state change is written.
   */
  async append(em: EntityManager, event: AuditEventInput): Promise<void> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('AuditService.append must run inside the transaction of the state change');
    const endTimer = auditAppendDuration.startTimer();
    await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    // Read under the lock (READ COMMITTED: a fresh snapshot per statement), so seq = head + 1 exactly.
    const [head] = (await em.query('SELECT seq, hash FROM cadre.audit_events ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    const chained: ChainedEvent = {
      seq: head ? Number(head.seq) + 1 : 1,
      at: new Date().toISOString(),
      actorId: event.actorId ? event.actorId.toLowerCase() : null,
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      organisationIds: [...new Set((event.organisationIds ?? []).map((id) => id.toLowerCase()))].sort(),
      // Hash exactly what jsonb will give back: a JSON round trip drops undefined and turns dates into strings.
      data: JSON.parse(JSON.stringify(event.data ?? {})) as Record<string, unknown>,
      prevHash: head ? head.hash : GENESIS_HASH,
    };
    await em.query(
      `INSERT INTO cadre.audit_events (seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10)`,
      [chained.seq, chained.at, chained.actorId, chained.action, chained.subjectType, chained.subjectId, chained.organisationIds, JSON.stringify(chained.data), chained.prevHash, hashEvent(chained, this.config.auditKey)],
    );
    endTimer();
  }

  /** Events in seq order, filtered by subject and by a visibility scope (SQL over alias `e`). */
  async list(filter: AuditEventFilter): Promise<Page<AuditEventView>> {
    const qb = this.dataSource.createQueryBuilder().from('cadre.audit_events', 'e');
    if (filter.subjectType) qb.andWhere('e.subject_type = :subjectType', { subjectType: filter.subjectType });
    if (filter.subjectId) qb.andWhere('e.subject_id = :subjectId', { subjectId: filter.subjectId });
    if (filter.scope) qb.andWhere(filter.scope.where, filter.scope.parameters);
    const counted = await qb.clone().select('count(*)::int', 'total').getRawOne<{ total: number }>();
    const rows = await qb.select('e.*').orderBy('e.seq', 'ASC').limit(filter.limit).offset(filter.offset).getRawMany<EventRow>();
    return { items: rows.map(toView), total: counted?.total ?? 0 };
  }

  /**
   * Recomputes the whole chain in seq order, batch by batch, and checks it against the
   * latest stored checkpoint and the furthest head ever published (kept outside the
   * database): a chain shorter than a published head is invalid ('truncated').
   */
  async verify(): Promise<AuditVerification> {
    const checkpoint = await this.latestCheckpoint();
    const published = await this.published.furthest();
    const refs: ChainCheckpointRef[] = [
      ...(checkpoint ? [{ seq: checkpoint.seq, headHash: checkpoint.headHash }] : []),
      ...(published ? [published] : []),
    ];
    const verifier = new ChainVerifier(this.config.auditKey, refs);
    let after = 0;
    for (;;) {
      const rows = (await this.dataSource.query('SELECT * FROM cadre.audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [after, VERIFY_BATCH])) as EventRow[];
      for (const row of rows) {
        const { hash, ...event } = toView(row);
        verifier.push({ ...event, hash });
      }
      if (rows.length < VERIFY_BATCH) break;
      after = Number(rows[rows.length - 1].seq);
    }
    return { ...verifier.result(), checkedAt: new Date().toISOString(), ...(checkpoint ? { checkpoint } : {}) };
  }

  /** The current head of the chain (seq 0 and the genesis hash when empty). */
  async head(): Promise<{ seq: number; hash: string }> {
    const [row] = (await this.dataSource.query('SELECT seq, hash FROM cadre.audit_events ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * The head of the chain as the caller's transaction sees it (its own appends included):
   * what a signed decision or result names, so that the record pins the log it was made in.
   */
  async headIn(em: EntityManager): Promise<{ seq: number; headHash: string }> {
    const [row] = (await em.query('SELECT seq, hash FROM cadre.audit_events ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    return row ? { seq: Number(row.seq), headHash: row.hash } : { seq: 0, headHash: GENESIS_HASH };
  }

  /** Remembers, outside the database, a head that was just published. */
  async markPublished(head: ChainCheckpointRef): Promise<void> {
    await this.published.publish(head);
  }

  /** The latest signed checkpoint, if any. */
  async latestCheckpoint(): Promise<AuditCheckpointView | undefined> {
    const [row] = (await this.dataSource.query('SELECT seq, head_hash, jws, at FROM cadre.audit_checkpoints ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      head_hash: string;
      jws: string;
      at: Date;
    }[];
    return row ? { seq: Number(row.seq), headHash: row.head_hash, jws: row.jws, at: row.at.toISOString() } : undefined;
  }

  /** Stores a signed checkpoint of the head (idempotent: one per seq). Returns false if that seq was already checkpointed. */
  async recordCheckpoint(checkpoint: { seq: number; headHash: string; jws: string }): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO cadre.audit_checkpoints (seq, head_hash, jws) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      [checkpoint.seq, checkpoint.headHash, checkpoint.jws],
    )) as unknown[];
    return rows.length > 0;
  }
}
