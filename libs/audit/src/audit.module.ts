import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { PublishedHeads } from './published-heads';

/**
 * The audit log every context writes to. It depends on nothing but the database (and Redis for published heads), so
 * that any context (identity included) can import it without a cycle.
 */
@Module({
  providers: [AuditService, PublishedHeads],
  exports: [AuditService],
})
export class AuditModule {}
