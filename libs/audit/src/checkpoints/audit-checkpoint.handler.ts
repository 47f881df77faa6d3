import { Injectable } from '@nestjs/common';
import { Handler, JobHandler } from '@cadre/jobs';
import { AuditCheckpointService } from './audit-checkpoint.service';

/** Periodic: signs the chain head when it moved since the last checkpoint. */
@JobHandler('audit-checkpoint')
@Injectable()
export class AuditCheckpointHandler implements Handler<'audit-checkpoint'> {
  constructor(private readonly checkpoints: AuditCheckpointService) {}

  async handle(): Promise<void> {
    await this.checkpoints.checkpoint();
  }
}
