import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '@cadre/config';

type VaultConnection = 'ingest' | 'compute' | 'replica';

/**
 * Connections of the two vault roles, opened on first use. The API process uses only
 * `ingest` (uploads stream straight into a new version table); only the worker uses `compute`.
 * `ingest` may create and load vault tables but not read them; `compute` may only read —
 * on the primary, or on a hot standby (`replica`) once it has replayed what a query reads.
 */
@Injectable()
export class VaultPools implements OnApplicationShutdown {
  private pools = new Map<VaultConnection, Pool>();

  constructor(private readonly config: AppConfig) {}

  ingest(): Pool {
    return this.get('ingest');
  }

  compute(): Pool {
    return this.get('compute');
  }

  /**
   * The compute connection that sees every one of `tables` (vault version tables): the
   * standby when one is configured and has replayed them within the configured wait, else
   * the primary. A version table is created, loaded and handed over in one transaction, so a
   * standby that shows the table holds the whole version. A standby that is down or behind
   * costs at most the wait; the computation then runs on the primary.
   */
  async computeFor(tables: string[]): Promise<Pool> {
    const replica = this.config.replica;
    if (!replica || tables.length === 0) return this.compute();
    const deadline = Date.now() + replica.waitMs;
    let pause = 10;
    try {
      for (;;) {
        const { rows } = await this.get('replica').query<{ missing: number }>(
          `SELECT count(*) FILTER (WHERE to_regclass(format('vault.%I', t)) IS NULL)::integer AS missing FROM unnest($1::text[]) AS t`,
          [tables],
        );
        if (rows[0].missing === 0) return this.get('replica');
        if (Date.now() + pause > deadline) return this.compute();
        await sleep(pause);
        pause = Math.min(pause * 2, 200);
      }
    } catch {
      return this.compute(); // the standby is unreachable: the primary answers
    }
  }

  private get(connection: VaultConnection): Pool {
    let pool = this.pools.get(connection);
    if (!pool) {
      const url = connection === 'replica' ? this.config.replica!.url : this.config.databaseUrl(connection);
      // A standby that is gone must cost at most the wait, not a TCP time-out.
      pool = new Pool({ connectionString: url, max: 4, application_name: `cadre-${connection}`, connectionTimeoutMillis: connection === 'replica' ? 2000 : 0 });
      pool.on('error', () => undefined); // an idle client's error must not crash the process
      // Nor a checked-out one's: pg emits 'error' on a client whose server went away (restart,
      // failover) even while its query is failing; the query's rejection reports it.
      pool.on('connect', (client) => client.on('error', () => undefined));
      this.pools.set(connection, pool);
    }
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    this.pools.clear();
  }
}
