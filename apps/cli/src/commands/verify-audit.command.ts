import { Command, CommandRunner } from 'nest-commander';
import { AuditService } from '@cadre/audit';
import { CliOutput } from '../cli-output';

/** Recomputes the hash chain and checks the latest signed checkpoint; exit code 1 when broken. */
@Command({ name: 'verify-audit', description: 'verify the audit chain (exit code 1 when it is broken)' })
export class VerifyAuditCommand extends CommandRunner {
  constructor(
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.audit.verify();
    this.out.write(JSON.stringify(result, null, 2));
    if (!result.valid) this.out.fail(1);
  }
}
