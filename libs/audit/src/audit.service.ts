import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { prepared, runPrepared } from '@cadre/common';
import type { Page } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { auditAppendDuration } from '@cadre/metrics';
import { ChainCheckpointRef, ChainVerifier, ChainedEvent, GENESIS_HASH, hashEvent } from './audit-chain';
import { PublishedHeads } from './published-heads';
import type { AuditCheckpointView, AuditEventFilter, AuditEventInput, AuditEventView, AuditVerification } from './audit-event';

/** The statements every state change runs (append) or sets off (the appender's pass): prepared. */
const SQL = {
  append: prepared(
    `INSERT INTO cadre.audit_events (at, actor_id, action, subject_type, subject_id, organisation_ids, data) VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7)`,
  ),
  /** The chain's head, which every released result carries. */
  head: prepared('SELECT seq, hash FROM cadre.audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1'),
  waitForChainLock: prepared('SELECT true AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l'),
  tryChainLock: prepared('SELECT pg_try_advisory_xact_lock($1) AS locked'),
  headAndPending: prepared(
    `(SELECT NULL::bigint AS id, seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, hash FROM cadre.audit_events
       WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)
     UNION ALL
     (SELECT id, NULL, at, actor_id, action, subject_type, subject_id, organisation_ids, data, NULL FROM cadre.audit_events
       WHERE seq IS NULL ORDER BY id LIMIT $1)`,
  ),
  link: prepared(
    `UPDATE cadre.audit_events e SET seq = l.seq, prev_hash = l.prev_hash, hash = l.hash
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS l(id, seq, prev_hash, hash)
      WHERE e.id = l.id AND e.seq IS NULL`,
  ),
};

/**
 * Advisory lock of the chain appender: one process at a time extends the chain. The
 * append-only trigger checks that the session filling a link holds it (migration AuditPending).
 */
const AUDIT_CHAIN_LOCK = 727_274_003;
const VERIFY_BATCH = 1000;
/** Pending events linked per appender transaction. */
const CHAIN_BATCH = 500;
/**
 * Every process looks for pending events this often: events whose transaction committed
 * while no appender ran (a crash between commit and chaining, a lock held elsewhere) are
 * chained by whichever process comes next. Postgres is the truth, not a process's memory.
 */
const CHAIN_SWEEP_MS = 500;
/**
 * A pass starts this long after the commit that asked for it, so that the commits of a busy
 * moment share one appender transaction (measured at ~80-100 computations/s, three events
 * each, API and two workers appending: 5 ms gave 1.8 passes a computation, 50 ms 0.8, 200 ms
 * 0.37 with ~10 events a pass). Readers of the chain flush first, so the lag is never seen.
 */
const CHAIN_DELAY_MS = 200;

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

/** The hashed fields of a stored row but its link (seq, prevHash). */
function eventOf(row: EventRow): Omit<ChainedEvent, 'seq' | 'prevHash'> {
  return {
    at: row.at.toISOString(),
    actorId: row.actor_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    organisationIds: row.organisation_ids,
    data: row.data,
  };
}

function toView(row: EventRow): AuditEventView {
  return { seq: Number(row.seq), ...eventOf(row), prevHash: row.prev_hash, hash: row.hash };
}

/**
 * The append-only, hash-chained audit log. A state change writes its event unchained, in
 * its own transaction and without any lock (so no global serialisation point on the hot
 * path); an appender then links pending events in batches (seq, prev_hash, hash), right
 * after such a commit and on a short sweep, under a try-lock so that one process does it
 * at a time. Readers of the chain (verification, the event list, checkpoints) chain what is
 * pending first.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuditService');
  /** Transactions (their QueryRunner) that wrote an event: chained right after they commit. */
  private readonly appended = new WeakSet<object>();
  private chaining?: Promise<void>;
  private chainAgain = false;
  private sweep?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly published: PublishedHeads,
  ) {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event) => {
        // A savepoint released inside the transaction also ends here: wait for the real commit.
        if (!this.appended.has(event.queryRunner) || event.queryRunner.isTransactionActive) return;
        this.appended.delete(event.queryRunner);
        this.chainSoon(); // not awaited: the caller's commit does not wait for the chain
      },
    };
    dataSource.subscribers.push(subscriber);
  }

  onModuleInit(): void {
    this.sweep = setInterval(() => void this.sweepPending(), CHAIN_SWEEP_MS);
    this.sweep.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.sweep) clearInterval(this.sweep);
    await this.chaining;
  }

  /**
   * Writes one event inside the caller's transaction (required), unchained: it shares the
   * fate of the state change, takes no lock, and is linked into the chain once committed.
   */
  async append(em: EntityManager, event: AuditEventInput): Promise<void> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('AuditService.append must run inside the transaction of the state change');
    const endTimer = auditAppendDuration.startTimer();
    const organisationIds = [...new Set((event.organisationIds ?? []).map((id) => id.toLowerCase()))].sort();
    await runPrepared(em, SQL.append, [new Date().toISOString(), event.actorId ? event.actorId.toLowerCase() : null, event.action, event.subjectType, event.subjectId, organisationIds, JSON.stringify(event.data ?? {})]);
    this.appended.add(em.queryRunner);
    endTimer();
  }

  /**
   * Links every committed pending event into the chain now, waiting for an appender at work
   * in another process if need be: what a reader of the chain calls first.
   */
  async flush(): Promise<void> {
    while ((await this.chainBatch(true)) === CHAIN_BATCH);
  }

  /** Starts a chaining pass in this process, or asks the running one to go once more. */
  private chainSoon(): void {
    if (this.closing) return;
    if (this.chaining) {
      this.chainAgain = true;
      return;
    }
    this.chaining = (async () => {
      await new Promise((r) => setTimeout(r, CHAIN_DELAY_MS));
      do {
        this.chainAgain = false;
        // Another process holding the lock (-1) chains what it sees; what it misses, the sweep takes.
        while ((await this.chainBatch(false)) === CHAIN_BATCH);
      } while (this.chainAgain && !this.closing);
    })()
      .catch((err: Error) => this.logger.warn({ err: { name: err.name, code: (err as { code?: string }).code } }, 'audit events left pending; the sweep chains them'))
      .finally(() => (this.chaining = undefined));
  }

  private async sweepPending(): Promise<void> {
    if (this.closing || this.chaining) return;
    try {
      const [row] = (await this.dataSource.query('SELECT EXISTS (SELECT 1 FROM cadre.audit_events WHERE seq IS NULL) AS pending')) as { pending: boolean }[];
      if (row?.pending) this.chainSoon();
    } catch {
      // the database is away: the next sweep tries again
    }
  }

  /**
   * One appender transaction: under the chain's lock (waited for, or tried), links up to
   * CHAIN_BATCH pending events in `id` order after the head, in one UPDATE. Returns how many
   * it linked, or -1 when another session holds the lock.
   */
  private async chainBatch(wait: boolean): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const [{ locked }] = (await runPrepared(em, wait ? SQL.waitForChainLock : SQL.tryChainLock, [AUDIT_CHAIN_LOCK])) as { locked: boolean }[];
      if (!locked) return -1;
      const rows = (await runPrepared(em, SQL.headAndPending, [CHAIN_BATCH])) as (EventRow & { id: string | null })[];
      const head = rows.find((r) => r.id === null);
      const pending = rows.filter((r) => r.id !== null);
      if (!pending.length) return 0;
      let seq = head ? Number(head.seq) : 0;
      let prevHash = head ? head.hash : GENESIS_HASH;
      const links = { id: [] as string[], seq: [] as number[], prev: [] as string[], hash: [] as string[] };
      for (const row of pending) {
        seq++;
        // Hash the row exactly as stored (and as verify() reads it back).
        const event: ChainedEvent = { ...eventOf(row), seq, prevHash };
        const hash = hashEvent(event, this.config.auditKey);
        links.id.push(row.id!);
        links.seq.push(seq);
        links.prev.push(prevHash);
        links.hash.push(hash);
        prevHash = hash;
      }
      await runPrepared(em, SQL.link, [links.id, links.seq, links.prev, links.hash]);
      return pending.length;
    });
  }

  /** Events in seq order, filtered by subject and by a visibility scope (SQL over alias `e`). */
  async list(filter: AuditEventFilter): Promise<Page<AuditEventView>> {
    await this.flush();
    // Events committed since the flush are listed once chained (they have no seq yet).
    const qb = this.dataSource.createQueryBuilder().from('cadre.audit_events', 'e').where('e.seq IS NOT NULL');
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
    await this.flush();
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

  /** The current head of the chain, every committed event chained first (seq 0 and the genesis hash when empty). */
  async head(): Promise<{ seq: number; hash: string }> {
    await this.flush();
    const [row] = (await this.dataSource.query('SELECT seq, hash FROM cadre.audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * The head of the chain as the caller's transaction sees it: the last event chained before
   * the record was made. What a signed decision or result names, so that the record pins the
   * log it was made after; the record's own events are chained after it, at a higher seq.
   */
  async headIn(em: EntityManager): Promise<{ seq: number; headHash: string }> {
    const [row] = (await runPrepared(em, SQL.head, [])) as { seq: string; hash: string }[];
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
