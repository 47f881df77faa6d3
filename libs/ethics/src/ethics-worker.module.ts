import { Module } from '@nestjs/common';
import { AuditModule } from '@cadre/audit';
import { JobsModule } from '@cadre/jobs';
import { EthicsModule } from './ethics.module';
import { UseCaseExpiryHandler } from './use-case-expiry.handler';

/** The worker's part of ethics: the use-case expiry sweep. */
@Module({
  imports: [EthicsModule, AuditModule, JobsModule],
  providers: [UseCaseExpiryHandler],
})
export class EthicsWorkerModule {}
