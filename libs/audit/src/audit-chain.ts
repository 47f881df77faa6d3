import { createHash } from 'node:crypto';
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

/** hash = SHA-256(prevHash ‖ canonicalJson(event without hash)), hex. */
export function hashEvent(event: ChainedEvent): string {
  return createHash('sha256').update(event.prevHash).update(canonicalJson(event)).digest('hex');
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

  constructor(private readonly checkpoint?: ChainCheckpointRef) {}

  /** Feeds the next stored event; returns false once the chain is broken. */
  push(event: ChainedEvent & { hash: string }): boolean {
    this.count++;
    this.lastHash = event.hash;
    if (this.brokenAt) return false;
    const { hash, ...unhashed } = event;
    if (event.seq !== this.expectedSeq) return this.fail(this.expectedSeq, 'seq_gap');
    if (event.prevHash !== this.prevHash) return this.fail(event.seq, 'prev_hash_mismatch');
    if (hashEvent(unhashed) !== hash) return this.fail(event.seq, 'hash_mismatch');
    if (this.checkpoint && event.seq === this.checkpoint.seq && hash !== this.checkpoint.headHash) return this.fail(event.seq, 'checkpoint_mismatch');
    this.expectedSeq = event.seq + 1;
    this.prevHash = hash;
    return true;
  }

  /** The verdict once every event has been pushed. */
  result(): { valid: boolean; events: number; headHash: string; brokenAtSeq?: number; reason?: ChainBreak } {
    if (!this.brokenAt && this.checkpoint && this.expectedSeq - 1 < this.checkpoint.seq) this.fail(this.expectedSeq, 'truncated');
    const base = { events: this.count, headHash: this.lastHash };
    return this.brokenAt ? { valid: false, ...base, brokenAtSeq: this.brokenAt.seq, reason: this.brokenAt.reason } : { valid: true, ...base };
  }

  private fail(seq: number, reason: ChainBreak): false {
    this.brokenAt = { seq, reason };
    return false;
  }
}
