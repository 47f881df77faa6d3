import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@cadre/audit';
import { AppConfig, ConfigModule } from '@cadre/config';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { PlatformModule } from '@cadre/platform';
import { CliOutput } from './cli-output';
import { ConfigCommand } from './commands/config.command';
import { CreateAdminCommand } from './commands/create-admin.command';
import { ExportRegisterCommand } from './commands/export-register.command';
import { RepublishOutboxCommand } from './commands/republish-outbox.command';
import { RotateKeysCommand } from './commands/rotate-keys.command';
import { VerifyAuditCommand } from './commands/verify-audit.command';

/** Commands that need the database (and Redis, for the outbox). */
@Module({
  imports: [IdentityModule, MembersModule, EthicsModule, AuditModule, JobsModule],
  providers: [CliOutput, ConfigCommand, CreateAdminCommand, RotateKeysCommand, VerifyAuditCommand, RepublishOutboxCommand, ExportRegisterCommand],
})
class CliCommandsModule {}

/** `config` alone needs no database: it also serves to diagnose a platform that cannot connect. */
@Module({ providers: [CliOutput, ConfigCommand] })
class CliConfigOnlyModule {}

/** The admin CLI (`npm run cadre -- <command>`), on the platform's configuration. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, options: { database?: boolean } = {}): DynamicModule {
    return options.database === false
      ? { module: CliModule, imports: [ConfigModule.forRoot(config), CliConfigOnlyModule] }
      : { module: CliModule, imports: [PlatformModule.forRoot(config), CliCommandsModule] };
  }
}
