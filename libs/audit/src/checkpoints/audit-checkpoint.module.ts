import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit.module';
import { AuditSignerOptions, RECORD_SIGNER } from '../record-signer';
import { AuditCheckpointHandler } from './audit-checkpoint.handler';
import { AuditCheckpointService } from './audit-checkpoint.service';

/** The worker's part of audit: the periodic signed checkpoint. Register it once (apps/worker). */
@Module({})
export class AuditCheckpointModule {
  static register(options: AuditSignerOptions): DynamicModule {
    return {
      module: AuditCheckpointModule,
      imports: [AuditModule],
      providers: [{ provide: RECORD_SIGNER, useExisting: options.signer }, AuditCheckpointService, AuditCheckpointHandler],
      exports: [AuditCheckpointService],
    };
  }
}
