import 'reflect-metadata';
import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { PlatformModule } from '@cadre/platform';
// The worker app's public entry (apps/worker/src/index.ts), not its internals.
import { WorkerModule } from '../../worker/src';
import { ApiModule } from './api.module';
import { configureApp } from './configure-app';

/** API and worker in one process, listening on `config.port` (0 picks a free port). */
export async function startSingleNode(config: AppConfig): Promise<INestApplication> {
  if (config.migrate) await runMigrations(config);
  @Module({ imports: [PlatformModule.forRoot(config), ApiModule, WorkerModule] })
  class SingleNodeRoot {}
  const app = configureApp(await NestFactory.create(SingleNodeRoot, { bufferLogs: true }));
  await app.listen(config.port);
  return app;
}

/** `npm start`: the single-node default. */
if (require.main === module) {
  startSingleNode(AppConfig.fromEnv()).catch((err) => {
    console.error('cadre failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
