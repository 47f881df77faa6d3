import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/**
 * The audit log every context writes to. It depends on nothing but the database, so
 * that any context (identity included) can import it without a cycle.
 */
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
