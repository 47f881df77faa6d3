import type { DataSource, EntityManager } from 'typeorm';
import { ComputationRecord, computationStore } from './computation.store';

/**
 * The lease of a running computation (robustness wiring, apart from the planner and the
 * disclosure code). The worker that claims a computation holds `lease_until` and pushes it
 * forward every third of the lease while it runs; a computation whose lease lapsed (its
 * worker died or lost the database) may be claimed again. BullMQ's stalled-job detection,
 * with the same lock duration, hands the job to a live worker.
 */
export class ComputationLease {
  constructor(
    private readonly db: DataSource,
    readonly leaseMs: number,
  ) {}

  /**
   * queued → running, or running with a lapsed lease → running again (a row without a lease,
   * from before leases, after 3 minutes): the computation as it now is when this call took it,
   * else null. One statement: the claim answers the row.
   */
  async claim(em: EntityManager, id: string): Promise<ComputationRecord | null> {
    return computationStore.claim(em, id, this.leaseMs);
  }

  /** Milliseconds until the lease of a running computation lapses (0 if lapsed), or null when it is not running. */
  async remaining(id: string): Promise<number | null> {
    const [row] = (await this.db.query(
      `SELECT GREATEST(0, EXTRACT(EPOCH FROM (COALESCE(lease_until, started_at + interval '3 minutes') - now())) * 1000)::float8 AS ms FROM cadre.computations WHERE id = $1 AND status = 'running'`,
      [id],
    )) as { ms: number }[];
    return row ? Number(row.ms) : null;
  }

  /** Keeps the lease while `work` runs; the lease is given up when it settles (best effort). */
  async hold<T>(id: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      void this.db
        .query(`UPDATE cadre.computations SET lease_until = now() + $2 * interval '1 millisecond' WHERE id = $1 AND status = 'running'`, [id, this.leaseMs])
        .catch(() => undefined); // the database is away: the lease lapses and the job is retried
    }, Math.max(200, Math.floor(this.leaseMs / 3)));
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Gives the lease up at once (a retry of the same job need not wait for it to lapse). */
  async release(id: string): Promise<void> {
    await this.db.query(`UPDATE cadre.computations SET lease_until = now() - interval '1 millisecond' WHERE id = $1 AND status = 'running'`, [id]).catch(() => undefined);
  }
}

/** A computation is held by a lease that has not lapsed yet: the job is retried later (never marked done). */
export class ComputationLeaseHeld extends Error {
  constructor() {
    super('the computation is running elsewhere under a lease');
    this.name = 'ComputationLeaseHeld';
  }
}
