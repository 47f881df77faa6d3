import { writeFile } from 'node:fs/promises';
import { Command, CommandRunner, Option } from 'nest-commander';
import { RegisterEntry, RegisterService, registerToCsv } from '@cadre/ethics';
import { CliOutput } from '../cli-output';

const PAGE = 500;

interface ExportOptions {
  format?: 'json' | 'csv';
  out?: string;
}

/** The public register of approved use cases, whole, as the public route serves it (JSON or CSV). */
@Command({ name: 'export-register', description: 'export the public register of use cases (JSON or CSV)' })
export class ExportRegisterCommand extends CommandRunner {
  constructor(
    private readonly register: RegisterService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  @Option({ flags: '--format <format>', description: 'json (default) or csv' })
  parseFormat(value: string): 'json' | 'csv' {
    if (value !== 'json' && value !== 'csv') throw new Error('--format is json or csv');
    return value;
  }

  @Option({ flags: '--out <file>', description: 'write to this file instead of stdout' })
  parseOut(value: string): string {
    return value;
  }

  async run(_args: string[], options: ExportOptions = {}): Promise<void> {
    const entries: RegisterEntry[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.register.list(PAGE, offset);
      entries.push(...page.items);
      if (page.items.length < PAGE || entries.length >= page.total) break;
    }
    const text = options.format === 'csv' ? registerToCsv(entries) : `${JSON.stringify({ items: entries, total: entries.length }, null, 2)}\n`;
    if (!options.out) return this.out.write(text);
    await writeFile(options.out, text);
    this.out.write(`wrote ${entries.length} use cases to ${options.out}`);
  }
}
