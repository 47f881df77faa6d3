import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { AppConfig } from '@cadre/config';
import { countKeys, heartbeatPattern } from '@cadre/jobs';

/**
 * The worker container's healthcheck: exit 0 when a worker process of this host beat
 * within the last three heartbeat periods, 1 otherwise (the orchestrator restarts it).
 *   node -r ./scripts/register-paths.js dist/apps/worker/src/healthcheck.js
 */
async function main(): Promise<number> {
  const config = AppConfig.fromEnv();
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await countKeys(redis, heartbeatPattern(config.queuePrefix, hostname()))) > 0 ? 0 : 1;
  } catch {
    return 1;
  } finally {
    redis.disconnect();
  }
}

void main().then((code) => process.exit(code));
