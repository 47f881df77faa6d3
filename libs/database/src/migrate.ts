import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { MIGRATIONS } from './migrations';
import { provisionRoles } from './roles';

const MIGRATION_LOCK = 727_274_001; // any constant shared by every process that migrates

/** Creates the database of DATABASE_URL if it does not exist (a fresh machine needs nothing by hand). */
export async function ensureDatabase(config: AppConfig): Promise<void> {
  const url = new URL(config.databaseUrl('owner'));
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!found.rowCount) {
      const ident = (await client.query<{ q: string }>('SELECT quote_ident($1) AS q', [name])).rows[0].q;
      await client.query(`CREATE DATABASE ${ident}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Runs pending migrations as the owner, under an advisory lock so that concurrent starts migrate once. */
export async function runMigrations(config: AppConfig): Promise<string[]> {
  await ensureDatabase(config);
  const pool = new Pool({ connectionString: config.databaseUrl('owner'), max: 1 });
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await provisionRoles(lock, config);
    const ds = new DataSource({
      type: 'postgres',
      url: config.databaseUrl('owner'),
      migrations: MIGRATIONS,
      migrationsTableName: 'cadre_migrations',
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations();
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    lock.release();
    await pool.end();
  }
}
