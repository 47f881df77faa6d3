import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@cadre/config';
import { runMigrations } from '@cadre/database';
import { PlatformModule } from '@cadre/platform';
import { ApiModule } from './api.module';
import { configureApp } from './configure-app';

/** `npm run start:api`: the HTTP API alone. */
async function main() {
  const config = AppConfig.fromEnv();
  if (config.migrate) await runMigrations(config);
  @Module({ imports: [PlatformModule.forRoot(config), ApiModule] })
  class ApiRoot {}
  const app = configureApp(await NestFactory.create(ApiRoot, { bufferLogs: true }));
  await app.listen(config.port);
}

void main().catch((err) => {
  console.error('cadre api failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
