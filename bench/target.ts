import { randomBytes } from 'node:crypto';
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * `CADRE_BENCH_CPU_PROF=DIR` profiles the API and the workers (`node --cpu-prof`, one
 * .cpuprofile per process in DIR, written when the process exits): where the time goes.
 */
function nodeArgs(entry: string): string[] {
  const dir = process.env.CADRE_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', join(dir, entry)] : [];
}

/** A running platform the benchmark talks to, and a superuser URL of its database for the floor. */
export interface Target {
  baseUrl: string;
  ownerUrl: string;
  admin: { email: string; password: string };
  /** Starts or stops worker processes until `count` run (each `npm run start:worker`). */
  scaleWorkers(count: number): Promise<void>;
  /** Peak resident memory (VmHWM, MiB) of the API and of each running worker so far. */
  peakMemory(): { api: number; workers: number[] };
  /** CPU time used so far (user + system, ms, from /proc): the API, the running workers together, PostgreSQL's and Redis's processes on this machine, and the benchmark's own process (its clients). */
  cpuMs(): CpuMs;
  close(): Promise<void>;
}

/** A process's peak resident set (VmHWM) in MiB, from /proc (Linux); NaN elsewhere. */
function peakRssMiB(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** User + system CPU time of a process in ms (Linux /proc), 0 when it is gone or elsewhere. */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** CPU time of every process of a command on this machine (`postgres`: server, backends, parallel workers), ms. */
function commandCpuMs(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) total += processCpuMs(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The CPU each process used between two readings of Target.cpuMs, ms. */
export function cpuBetween(before: CpuMs, after: CpuMs): CpuMs {
  return { api: after.api - before.api, workers: after.workers - before.workers, postgres: after.postgres - before.postgres, redis: after.redis - before.redis, client: after.client - before.client };
}

/** Where a run's CPU went, ms: every process on the two cores that the benchmark drives. */
export interface CpuMs {
  api: number;
  workers: number;
  postgres: number;
  redis: number;
  client: number;
}

export const BENCH_ADMIN = { email: 'operator@cadre.bench', password: 'operator-bench-password' };

async function resetDatabase(ownerUrl: string): Promise<void> {
  const url = new URL(ownerUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^cadre_bench\w*$/.test(name)) throw new Error(`the benchmark only resets a database named cadre_bench*, not ${name}`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/**
 * Starts the platform as deployed: the API (`npm run start:api`) and one worker
 * (`npm run start:worker`) as two processes from dist/, on a fresh `cadre_bench` database,
 * apart from the benchmark client so that none of them shares an event loop. More workers
 * join the same queues through `scaleWorkers`.
 */
export async function launchPlatform(port: number, extraEnv: Record<string, string> = {}): Promise<Target> {
  const user = process.env.PGUSER ?? process.env.USER ?? 'postgres';
  const ownerUrl = process.env.CADRE_BENCH_DATABASE_URL ?? `postgres://${user}@127.0.0.1:5432/cadre_bench`;
  await resetDatabase(ownerUrl);
  const root = join(__dirname, '..', '..');
  const env = {
    ...process.env,
    DATABASE_URL: ownerUrl,
    PORT: String(port),
    // The queue prefix follows the database name, so two benchmarks on one machine never share jobs.
    CADRE_QUEUE_PREFIX: decodeURIComponent(new URL(ownerUrl).pathname.slice(1)),
    CADRE_BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN.email,
    CADRE_BOOTSTRAP_ADMIN_PASSWORD: BENCH_ADMIN.password,
    CADRE_MAX_COMPUTATIONS: '1000000',
    CADRE_AUTH_RATE_LIMIT: '100000',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // Production mode refuses the development secrets: a throwaway set for this run.
    CADRE_MASTER_KEY: randomBytes(24).toString('hex'),
    CADRE_PSEUDONYM_KEY: randomBytes(24).toString('hex'),
    CADRE_RECORD_KEY_SECRET: randomBytes(24).toString('hex'),
    CADRE_AUDIT_KEY: randomBytes(24).toString('hex'),
    ...extraEnv,
  };
  const start = (entry: string, more: Record<string, string> = {}): ChildProcess =>
    spawn(process.execPath, [...nodeArgs(entry), '-r', join(root, 'scripts', 'register-paths.js'), join(root, 'dist', 'apps', entry, 'src', 'main.js')], {
      env: { ...env, ...more },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  const baseUrl = `http://127.0.0.1:${port}`;
  // Another server on the port would answer the health check below and take the benchmark's traffic.
  if (await fetch(`${baseUrl}/health`).then(() => true, () => false)) throw new Error(`port ${port} is in use: set CADRE_BENCH_PORT`);
  const api = start('api');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (api.exitCode !== null) throw new Error(`the API exited with code ${api.exitCode}`);
    const ok = await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the API did not become healthy in 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const workers: ChildProcess[] = [start('worker', { CADRE_MIGRATE: 'false' })];
  const stop = (child: ChildProcess) =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return {
    baseUrl,
    ownerUrl,
    admin: BENCH_ADMIN,
    scaleWorkers: async (count: number) => {
      while (workers.length < count) workers.push(start('worker', { CADRE_MIGRATE: 'false' }));
      await Promise.all(workers.splice(count).map(stop));
      // A new worker is ready once it has connected to its queues; a short settle is enough.
      await new Promise((r) => setTimeout(r, 2000));
    },
    peakMemory: () => ({ api: peakRssMiB(api), workers: workers.map(peakRssMiB) }),
    cpuMs: () => {
      const own = process.cpuUsage();
      return {
        api: processCpuMs(api.pid),
        workers: workers.reduce((sum, w) => sum + processCpuMs(w.pid), 0),
        postgres: commandCpuMs('postgres'),
        redis: commandCpuMs('redis-server'),
        client: (own.user + own.system) / 1000,
      };
    },
    close: async () => {
      await Promise.all([...workers.map(stop), stop(api)]);
    },
  };
}
