import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit.module';
import { AuditCheckpointService } from '../checkpoints/audit-checkpoint.service';
import { AuditSignerOptions, RECORD_SIGNER } from '../record-signer';
import { AuditController } from './audit.controller';
import { AuditHeadController } from './audit-head.controller';
import { AuditReader } from './audit-reader.service';

/** The audit routes (apps/api): reading the log and verifying the chain and its latest signed checkpoint. */
@Module({})
export class AuditHttpModule {
  static register(options: AuditSignerOptions): DynamicModule {
    return {
      module: AuditHttpModule,
      imports: [AuditModule],
      controllers: [AuditController, AuditHeadController],
      providers: [{ provide: RECORD_SIGNER, useExisting: options.signer }, AuditCheckpointService, AuditReader],
    };
  }
}
