import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@cadre/config';
import { producerRedisOptions, withTimeout } from './redis';

/** Redis key of one worker process's heartbeat: `<prefix>:heartbeat:<host>:<pid>`, expiring after 3 periods. */
export function heartbeatKey(prefix: string, host = hostname(), pid = process.pid): string {
  return `${prefix}:heartbeat:${host}:${pid}`;
}

/** SCAN pattern of the heartbeats of every worker (or of one host's). */
export function heartbeatPattern(prefix: string, host = '*'): string {
  return `${prefix}:heartbeat:${host}:*`;
}

/**
 * The worker's heartbeat: every `CADRE_HEARTBEAT_INTERVAL_MS` it sets its key with a TTL of
 * three periods. A worker whose event loop is wedged stops beating and its key expires:
 * the API's `/health/ready` and the worker container's healthcheck read it.
 */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WorkerHeartbeat');
  private client?: Redis;
  private timer?: NodeJS.Timeout;
  private readonly key: string;

  constructor(private readonly config: AppConfig) {
    this.key = heartbeatKey(config.queuePrefix);
  }

  onApplicationBootstrap(): void {
    this.client = new Redis(this.config.redisUrl, producerRedisOptions('cadre-heartbeat'));
    this.client.on('error', () => undefined); // a missed beat is the signal
    const beat = () => {
      const ttl = 3 * this.config.heartbeatIntervalMs;
      this.client?.set(this.key, String(Date.now()), 'PX', ttl).catch(() => this.logger.debug('heartbeat not written (Redis unreachable)'));
    };
    beat();
    this.timer = setInterval(beat, this.config.heartbeatIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await withTimeout(client.del(this.key), 1000, 'heartbeat delete').catch(() => undefined);
    client.disconnect();
  }
}

/** The API's view of the workers: how many beat within the last three periods. */
@Injectable()
export class WorkerHeartbeats implements OnApplicationShutdown {
  private client?: Redis;

  constructor(private readonly config: AppConfig) {}

  /** Number of live workers; rejects when Redis does not answer within `timeoutMs`. */
  async count(timeoutMs = 1000): Promise<number> {
    if (!this.client) {
      this.client = new Redis(this.config.redisUrl, producerRedisOptions('cadre-heartbeat-reader'));
      this.client.on('error', () => undefined); // reported through count()
    }
    const client = this.client;
    return withTimeout(countKeys(client, heartbeatPattern(this.config.queuePrefix)), timeoutMs, 'heartbeat scan');
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.client = undefined;
  }
}

export async function countKeys(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
    count += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return count;
}
