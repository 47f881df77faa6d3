import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';

/** `npm run migrate`: runs pending migrations (the same step the processes run at start). */
async function main() {
  const ran = await runMigrations(AppConfig.fromEnv());
  console.log(ran.length ? `applied: ${ran.join(', ')}` : 'database is up to date');
}

void main().catch((err) => {
  console.error('migration failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
