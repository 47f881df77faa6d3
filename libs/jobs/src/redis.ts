import type { RedisOptions } from 'ioredis';

/** Bounded reconnect backoff: a Redis restart is survived, an absent Redis never blocks a caller forever. */
const retryStrategy = (times: number) => Math.min(200 * times, 2000);

/** ioredis options of a producer or probe connection: fail fast instead of queueing commands while disconnected. */
export function producerRedisOptions(connectionName = 'cadre-producer'): RedisOptions {
  return { connectionName, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy, lazyConnect: false };
}

/** ioredis options of a BullMQ Worker connection (blocking commands need `maxRetriesPerRequest: null`). */
export function workerRedisOptions(): RedisOptions {
  return { connectionName: 'cadre-worker', maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy };
}

/** Resolves `promise`, or rejects after `ms` — for Redis calls that would otherwise wait for a connection forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
