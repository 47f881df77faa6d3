import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { PlatformModule } from '@cadre/platform';
import { WorkerMetricsModule } from './worker-metrics.server';
import { WorkerModule } from './worker.module';

/** `npm run start:worker`: an application context that only runs processors. */
async function main() {
  const config = AppConfig.fromEnv();
  if (config.migrate) await runMigrations(config);
  @Module({ imports: [PlatformModule.forRoot(config), WorkerModule, WorkerMetricsModule] })
  class WorkerRoot {}
  const app = await NestFactory.createApplicationContext(WorkerRoot, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  app.get(Logger).log('cadre worker started');
}

void main().catch((err) => {
  console.error('cadre worker failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
