import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.CADRE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL cluster that a suite starts, stops and removes itself, so that
 * fault and replication tests never touch the shared server. The binaries refuse to run
 * as root: when the tests do, the cluster runs as the `postgres` system user.
 */
export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** `postgres://postgres@127.0.0.1:PORT` — append `/database`. */
  get server(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  /** A new primary with trust auth (local and replication) on 127.0.0.1:port. */
  static async primary(port: number): Promise<PgCluster> {
    const cluster = new PgCluster(ownedTempDir('cadre-pg-'), port);
    await asPostgres(`${BIN}/initdb`, ['-D', cluster.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  /** A hot standby of `primary`, streaming from it (pg_basebackup -R), on its own port. */
  static async standbyOf(primary: PgCluster, port: number): Promise<PgCluster> {
    const cluster = new PgCluster(ownedTempDir('cadre-standby-'), port);
    await asPostgres(`${BIN}/pg_basebackup`, ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', cluster.data, '-R', '-X', 'stream', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off -c hot_standby=on -c max_wal_senders=4`;
    await asPostgres(`${BIN}/pg_ctl`, ['-D', this.data, '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '30', 'start']);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres(`${BIN}/pg_ctl`, ['-D', this.data, '-m', mode, '-w', '-t', '30', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function ownedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  return dir;
}

function postgresUser(): { uid: number; gid: number } {
  // The Debian package's system user; resolved once through the passwd database.
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres system user to run a throwaway cluster as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function asPostgres(bin: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUser();
    await run(bin, args, { uid, gid, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  } else {
    await run(bin, args, { env: { ...process.env, LANG: 'C.UTF-8' } });
  }
}
