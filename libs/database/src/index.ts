export { DatabaseModule } from './database.module';
export { VaultPools } from './vault-pools';
export { runMigrations, ensureDatabase } from './migrate';
export { MIGRATIONS } from './migrations';
