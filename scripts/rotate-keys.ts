import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@cadre/config';
import { DatabaseModule, runMigrations } from '@cadre/database';
import { IdentityModule, SigningKeysService } from '@cadre/identity';

/**
 * `npm run keys:rotate`: retires the active platform key and creates a new one. The
 * retired key stays published (record signatures verify forever); running processes
 * pick the new key up within their key-cache period (30 s).
 */
async function main() {
  const config = AppConfig.fromEnv();
  if (config.migrate) await runMigrations(config);
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), IdentityModule] })
  class RotateKeys {}
  const app = await NestFactory.createApplicationContext(RotateKeys, { logger: ['error'] });
  try {
    const { retiredKid, activeKid } = await app.get(SigningKeysService).rotate();
    console.log(`retired ${retiredKid ?? '(none)'}; active ${activeKid}`);
  } finally {
    await app.close();
  }
}

void main().catch((err) => {
  console.error('key rotation failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
