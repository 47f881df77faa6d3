import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/** Provides the one `AppConfig`, parsed once (from `process.env` unless one is given). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig = AppConfig.fromEnv()): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
