import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { TestPlatform } from '../support/platform';

/**
 * Servers a fault test owns and may kill: its own redis-server and its own throwaway
 * PostgreSQL cluster, on ports of their own. The shared servers are never touched.
 */
const ROOT = join(__dirname, '..', '..');
const PG_BIN = process.env.CADRE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port in a range unlikely to be used by the shared servers, different per suite run. */
export function freePort(base: number): number {
  return base + (process.pid % 500) + Math.floor(Math.random() * 100);
}

export interface OwnRedis {
  url: string;
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = freePort(16400);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 50 ? null : 100), lazyConnect: true });
  client.on('error', () => undefined);
  for (let i = 0; i < 50; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      await sleep(100);
    }
  }
  return {
    url,
    flushAll: async () => void (await client.flushall()),
    stop: async () => {
      client.disconnect();
      child.kill('SIGKILL');
    },
  };
}

export interface OwnPostgres {
  /** Server URL without a database (trust auth, user postgres). */
  server: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

/** A throwaway cluster (initdb into a temp dir, run as the postgres system user when we are root). */
export function startOwnPostgres(): OwnPostgres {
  const port = freePort(25400);
  const dir = mkdtempSync(join(tmpdir(), 'cadre-faults-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => {
    const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args]] : [join(PG_BIN, cmd), args];
    execFileSync(file, argv as string[], { stdio: 'ignore', cwd: dir });
  };
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  start();
  return {
    server: `postgres://postgres@127.0.0.1:${port}`,
    stop: () => asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']),
    start,
    destroy: () => {
      try {
        asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A worker in its own process, as `npm run start:worker` runs it (from source, through
 * ts-node), on the platform's database and queue prefix. Resolves once it logged its start.
 */
export async function spawnWorker(platform: TestPlatform, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, 'apps', 'worker', 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      DATABASE_URL: platform.config.databaseUrl('owner'),
      REDIS_URL: platform.config.redisUrl,
      CADRE_QUEUE_PREFIX: platform.config.queuePrefix,
      CADRE_MIGRATE: 'false',
      CADRE_MASTER_KEY: 'test-master-key-0123456789',
      CADRE_PSEUDONYM_KEY: 'test-pseudonym-key-0123456789',
      CADRE_SWEEP_INTERVAL_MS: '1000',
      CADRE_OUTBOX_SWEEP_MS: '1000',
      CADRE_JOB_LEASE_MS: platform.config.jobLeaseMs.toString(),
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 90 s: ${output.slice(-2000)}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('cadre worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}): ${output.slice(-2000)}`));
    });
  });
  // Keep draining its output (the last part is kept for a failing test's message).
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    workerOutput.set(child, output);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

/** The last lines a spawned worker wrote (for diagnostics). */
export const workerOutput = new WeakMap<ChildProcess, string>();

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
