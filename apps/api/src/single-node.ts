import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { PlatformModule } from '@cadre/platform';
import { WorkerModule } from '../../worker/src/worker.module';
import { ApiModule } from './api.module';
import { configureApp } from './configure-app';

/** `npm start`: API and worker in one process, the single-node default. */
async function main() {
  const config = AppConfig.fromEnv();
  if (config.migrate) await runMigrations(config);
  @Module({ imports: [PlatformModule.forRoot(config), ApiModule, WorkerModule] })
  class SingleNodeRoot {}
  const app = configureApp(await NestFactory.create(SingleNodeRoot, { bufferLogs: true }));
  await app.listen(config.port);
}

void main().catch((err) => {
  console.error('cadre failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
