import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@cadre/config';
import { producerRedisOptions, withTimeout } from './redis';

/** A dedicated connection that answers "is Redis up?" quickly, for the health check. */
@Injectable()
export class RedisProbe implements OnApplicationShutdown {
  private client?: Redis;

  constructor(private readonly config: AppConfig) {}

  /** Resolves when Redis answers PING within `timeoutMs`; rejects otherwise. */
  async ping(timeoutMs = 1000): Promise<void> {
    if (!this.client) {
      this.client = new Redis(this.config.redisUrl, { ...producerRedisOptions('cadre-probe'), lazyConnect: true });
      this.client.on('error', () => undefined); // reported through ping()
      this.client.connect().catch(() => undefined);
    }
    const client = this.client;
    const ready = client.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => client.once('ready', () => resolve()));
    await withTimeout(
      ready.then(() => client.ping()),
      timeoutMs,
      'redis ping',
    );
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.client = undefined;
  }
}
