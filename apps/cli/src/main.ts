import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { CliModule } from './cli.module';

/**
 * `npm run cadre -- <command>`: the operator's command line (create-admin, rotate-keys,
 * verify-audit, republish-outbox, export-register, config). `--help` lists them.
 */
async function main() {
  const config = AppConfig.fromEnv();
  const command = process.argv[2];
  // `config` boots no database (it helps diagnose one that cannot be reached); every other command, and --help, does.
  const database = command !== 'config';
  if (database && config.migrate) await runMigrations(config);
  await CommandFactory.run(CliModule.forRoot(config, { database }), {
    cliName: 'cadre',
    logger: ['error', 'warn'],
    serviceErrorHandler: (err: Error) => {
      // The error's name only: a driver message can quote a value.
      console.error(`cadre ${command}: failed (${err.name})`);
      process.exitCode = 1;
    },
  });
}

void main().catch((err) => {
  console.error('cadre: failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
