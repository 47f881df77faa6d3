import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@cadre/config';
import { VaultPools } from './vault-pools';

/**
 * The governance data source, connected as `cadre_app` (no privilege on `vault`),
 * plus the lazily opened vault pools. Entities register through `forFeature`.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            type: 'postgres' as const,
            url: config.databaseUrl('app'),
            schema: 'cadre',
            autoLoadEntities: true,
            synchronize: false,
            migrationsRun: false,
            logging: false,
            extra: { max: 10, application_name: 'cadre-app' },
          }),
        }),
      ],
      providers: [VaultPools],
      exports: [VaultPools],
    };
  }
}
