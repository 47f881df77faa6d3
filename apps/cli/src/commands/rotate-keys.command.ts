import { Command, CommandRunner } from 'nest-commander';
import { SigningKeysService } from '@cadre/identity';
import { CliOutput } from '../cli-output';

/**
 * Retires the active platform signing key and creates a new one. The retired key stays
 * published (signatures verify forever); running processes pick the new key up within
 * their key-cache period (30 s).
 */
@Command({ name: 'rotate-keys', description: "rotate the platform's signing key (the retired key stays in the JWKS)" })
export class RotateKeysCommand extends CommandRunner {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    const { retiredKid, activeKid } = await this.keys.rotate();
    this.out.write(`retired ${retiredKid ?? '(none)'}; active ${activeKid}`);
  }
}
