import { Command, CommandRunner, Option } from 'nest-commander';
import { OutboxRepublisher } from '@cadre/jobs';
import { CliOutput } from '../cli-output';

interface RepublishOptions {
  olderThan?: number;
  includeFailed?: boolean;
}

@Command({ name: 'republish-outbox', description: 'publish again the outbox jobs stuck for longer than --older-than seconds' })
export class RepublishOutboxCommand extends CommandRunner {
  constructor(
    private readonly republisher: OutboxRepublisher,
    private readonly out: CliOutput,
  ) {
    super();
  }

  @Option({ flags: '--older-than <seconds>', description: 'only rows older than this (default 300)' })
  parseOlderThan(value: string): number {
    const seconds = Number(value);
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error('--older-than takes a whole number of seconds');
    return seconds;
  }

  @Option({ flags: '--include-failed', description: 'also reset and retry rows that failed for good' })
  parseIncludeFailed(): boolean {
    return true;
  }

  async run(_args: string[], options: RepublishOptions = {}): Promise<void> {
    const report = await this.republisher.republish({ olderThanSeconds: options.olderThan ?? 300, includeFailed: options.includeFailed ?? false });
    this.out.write(JSON.stringify({ republished: report.republished.length, ids: report.republished, stillQueued: report.stillQueued }, null, 2));
  }
}
