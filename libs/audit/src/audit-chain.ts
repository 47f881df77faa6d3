import { createHmac } from 'node:crypto';
import { canonicalJson } from '@cadre/common';

/** prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event exactly as it is hashed: every stored column but `hash`. */
export interface ChainedEvent {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  organisationIds: string[];
  data: Record<string, unknown>;
  prevHash: string;
}

/**
 * hash = HMAC-SHA-256(key, prevHash ‖ canonicalJson(event without hash)), hex. The key
 * (CADRE_AUDIT_KEY) lives outside the database: credentials to the database alone cannot
 * append or rewrite an event that verifies.
 */
export function hashEvent(event: ChainedEvent, key: string): string {
  return createHmac('sha256', key).update(event.prevHash).update(canonicalJson(event)).digest('hex');
}

export type ChainBreak = 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'checkpoint_mismatch' | 'truncated';

export interface ChainCheckpointRef {
  seq: number;
  headHash: string;
}

/**
 * Walks a chain in seq order, one event at a time (so a caller can stream it), and
 * remembers the first break. A deleted event shows as a seq gap (reported at the missing
 * seq), an edited one as a hash mismatch (at its own seq); a signed checkpoint also
 * catches a rewritten or truncated tail.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private lastHash = GENESIS_HASH;
  private brokenAt?: { seq: number; reason: ChainBreak };

  private readonly checkpoints: ChainCheckpointRef[];

  /** `checkpoints`: heads signed and published earlier (the chain must reach and match each). */
  constructor(
    private readonly key: string,
    checkpoints: ChainCheckpointRef | ChainCheckpointRef[] = [],
  ) {
    this.checkpoints = Array.isArray(checkpoints) ? checkpoints : [checkpoints];
  }

  /** Feeds the next stored event; returns false once the chain is broken. */
  push(event: ChainedEvent & { hash: string }): boolean {
    this.count++;
    this.lastHash = event.hash;
    if (this.brokenAt) return false;
    const { hash, ...unhashed } = event;
    if (event.seq !== this.expectedSeq) return this.fail(this.expectedSeq, 'seq_gap');
    if (event.prevHash !== this.prevHash) return this.fail(event.seq, 'prev_hash_mismatch');
    if (hashEvent(unhashed, this.key) !== hash) return this.fail(event.seq, 'hash_mismatch');
    if (this.checkpoints.some((c) => c.seq === event.seq && c.headHash !== hash)) return this.fail(event.seq, 'checkpoint_mismatch');
    this.expectedSeq = event.seq + 1;
    this.prevHash = hash;
    return true;
  }

  /** The verdict once every event has been pushed. */
  result(): { valid: boolean; events: number; headHash: string; brokenAtSeq?: number; reason?: ChainBreak } {
    const furthest = Math.max(0, ...this.checkpoints.map((c) => c.seq));
    if (!this.brokenAt && this.expectedSeq - 1 < furthest) this.fail(this.expectedSeq, 'truncated');
    const base = { events: this.count, headHash: this.lastHash };
    return this.brokenAt ? { valid: false, ...base, brokenAtSeq: this.brokenAt.seq, reason: this.brokenAt.reason } : { valid: true, ...base };
  }

  private fail(seq: number, reason: ChainBreak): false {
    this.brokenAt = { seq, reason };
    return false;
  }
}
