import { Command, CommandRunner } from 'nest-commander';
import { AppConfig } from '@cadre/config';
import { CliOutput } from '../cli-output';

@Command({ name: 'config', description: 'print the effective configuration (defaults applied), secrets masked' })
export class ConfigCommand extends CommandRunner {
  constructor(
    private readonly config: AppConfig,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    this.out.write(JSON.stringify(this.config.effective(), null, 2));
  }
}
