import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@cadre/config';
import { DatabaseModule } from '@cadre/database';
import { loggingModule } from './logging';

/** The infrastructure both processes share: config, logs, database (and, through jobs, Redis). */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig = AppConfig.fromEnv()): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), loggingModule(), DatabaseModule.forRoot()],
    };
  }
}
