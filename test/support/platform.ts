import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { INestApplication, Module, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { PlatformModule } from '@cadre/platform';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp } from '../../apps/api/src/configure-app';
import { WorkerModule } from '../../apps/worker/src';

/**
 * Base server URL of the test PostgreSQL (a superuser, trust auth, no database in the URL); each
 * suite creates its own database on it. Default: user `$PGUSER`, else `postgres` (README: "root or postgres").
 */
const PG_SERVER = process.env.CADRE_TEST_PG ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432`;
const REDIS_URL = process.env.CADRE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export const ADMIN = { email: 'operator@cadre.test', password: 'operator-password-1' };

export interface TestPlatform {
  app: INestApplication;
  config: AppConfig;
  /** supertest bound to the app's HTTP server. */
  http: () => ReturnType<typeof request>;
  /** A superuser connection to the suite's database, for setup and for attacks that need one. */
  owner: Client;
  databaseName: string;
  queuePrefix: string;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  /** Run the worker's processors in the same process (default true). */
  worker?: boolean;
  /** Start no HTTP surface (default false). */
  apiless?: boolean;
  env?: Record<string, string>;
  /** Variables that name the suite's database (a replica's URL, say). */
  envFor?: (databaseName: string) => Record<string, string>;
  /** Base URL of another PostgreSQL server to run on (a cluster the suite started itself). */
  pgServer?: string;
  /** Receives every log line the platform writes (set `env.LOG_LEVEL` to see them). */
  logStream?: Writable;
  /** Extra modules booted with the platform (e.g. a test-only job handler). */
  imports?: NonNullable<ModuleMetadata['imports']>;
}

/** A fresh database and Redis prefix, migrated, with API and worker booted as `npm start` does. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const suffix = randomBytes(5).toString('hex');
  const databaseName = `cadre_test_${suffix}`;
  const queuePrefix = `cadre_test_${suffix}`;
  const pgServer = options.pgServer ?? PG_SERVER;
  const config = AppConfig.fromEnv({
    DATABASE_URL: `${pgServer}/${databaseName}`,
    REDIS_URL,
    CADRE_QUEUE_PREFIX: queuePrefix,
    CADRE_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    CADRE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    CADRE_MASTER_KEY: 'test-master-key-0123456789',
    CADRE_PSEUDONYM_KEY: 'test-pseudonym-key-0123456789',
    CADRE_SWEEP_INTERVAL_MS: '500',
    LOG_LEVEL: 'silent',
    // Suites log in many users from one address; the rate-limit test sets its own limit.
    CADRE_AUTH_RATE_LIMIT: '1000',
    // Attack suites try wrong passwords; the login-throttling test sets its own limits.
    CADRE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
    CADRE_LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
    NODE_ENV: 'test',
    ...options.env,
    ...options.envFor?.(databaseName),
  });
  await runMigrations(config);

  const imports = [PlatformModule.forRoot(config, { logStream: options.logStream }), ...(options.apiless ? [] : [ApiModule]), ...(options.worker === false ? [] : [WorkerModule]), ...(options.imports ?? [])];
  @Module({ imports })
  class TestRoot {}
  const moduleRef = await Test.createTestingModule({ imports: [TestRoot] }).compile();
  const app = configureApp(moduleRef.createNestApplication({ bufferLogs: true }));
  await app.init();

  const owner = new Client({ connectionString: config.databaseUrl('owner') });
  await owner.connect();

  return {
    app,
    config,
    owner,
    databaseName,
    queuePrefix,
    http: () => request(app.getHttpServer()),
    async close() {
      await app.close();
      await owner.end();
      await dropDatabase(databaseName, pgServer);
      await clearRedisPrefix(queuePrefix);
    },
  };
}

export async function dropDatabase(name: string, server = PG_SERVER): Promise<void> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function clearRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
