import type { Writable } from 'node:stream';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@cadre/config';
import { DatabaseModule } from '@cadre/database';
import { loggingModule } from './logging';

/** The infrastructure both processes share: config, logs, database (and, through jobs, Redis). */
@Module({})
export class PlatformModule {
  /** `logStream` replaces stdout as the log destination (tests read every line the platform writes). */
  static forRoot(config: AppConfig = AppConfig.fromEnv(), options: { logStream?: Writable } = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), loggingModule(options.logStream), DatabaseModule.forRoot()],
    };
  }
}
