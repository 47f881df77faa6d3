import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@cadre/config';
import type { ChainCheckpointRef } from './audit-chain';

const TIMEOUT_MS = 1000;

/**
 * The furthest chain head this deployment has published (signed and answered on
 * GET /register/audit-head), kept OUTSIDE the database: in Redis (shared by every
 * process) and in this process's memory. A database superuser who deletes the newest
 * events and the newest checkpoints still leaves a chain shorter than this head, and
 * verification says so. Anyone who fetched the head holds the same proof.
 */
@Injectable()
export class PublishedHeads implements OnApplicationShutdown {
  private client?: Redis;
  private remembered?: ChainCheckpointRef;

  constructor(private readonly config: AppConfig) {}

  private get key(): string {
    return `${this.config.queuePrefix}:audit:published-head`;
  }

  private redis(): Redis {
    if (!this.client) {
      this.client = new Redis(this.config.redisUrl, { connectionName: 'cadre-audit-head', maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
      this.client.on('error', () => undefined); // a Redis outage degrades to the in-memory head
    }
    return this.client;
  }

  /** Records a published head if it is further than the one known (compare-and-set in Redis). */
  async publish(head: ChainCheckpointRef): Promise<void> {
    if (!this.remembered || head.seq > this.remembered.seq) this.remembered = { seq: head.seq, headHash: head.headHash };
    const script = `local cur = redis.call('GET', KEYS[1])
      if cur then local seq = tonumber(string.match(cur, '^(%d+):')) if seq and seq >= tonumber(ARGV[1]) then return 0 end end
      redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2]) return 1`;
    await withTimeout(this.redis().eval(script, 1, this.key, String(head.seq), head.headHash)).catch(() => undefined);
  }

  /** The furthest published head known (Redis or this process), if any. */
  async furthest(): Promise<ChainCheckpointRef | undefined> {
    const raw = await withTimeout(this.redis().get(this.key)).catch(() => null);
    const match = typeof raw === 'string' ? /^(\d+):([0-9a-f]{64})$/.exec(raw) : null;
    const stored = match ? { seq: Number(match[1]), headHash: match[2] } : undefined;
    if (stored && (!this.remembered || stored.seq > this.remembered.seq)) return stored;
    return this.remembered ?? stored;
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.client = undefined;
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis timeout')), TIMEOUT_MS);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
