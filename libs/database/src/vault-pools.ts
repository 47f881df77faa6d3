import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '@cadre/config';

/**
 * Connections of the two vault roles, opened on first use. The API process uses only
 * `ingest` (uploads stream straight into a new version table); only the worker uses `compute`.
 * `ingest` may create and load vault tables but not read them; `compute` may only read.
 */
@Injectable()
export class VaultPools implements OnApplicationShutdown {
  private pools = new Map<'ingest' | 'compute', Pool>();

  constructor(private readonly config: AppConfig) {}

  ingest(): Pool {
    return this.get('ingest');
  }

  compute(): Pool {
    return this.get('compute');
  }

  private get(role: 'ingest' | 'compute'): Pool {
    let pool = this.pools.get(role);
    if (!pool) {
      pool = new Pool({ connectionString: this.config.databaseUrl(role), max: 4, application_name: `cadre-${role}` });
      pool.on('error', () => undefined); // an idle client's error must not crash the process
      // Nor a checked-out one's: pg emits 'error' on a client whose server went away (restart,
      // failover) even while its query is failing; the query's rejection reports it.
      pool.on('connect', (client) => client.on('error', () => undefined));
      this.pools.set(role, pool);
    }
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    this.pools.clear();
  }
}
