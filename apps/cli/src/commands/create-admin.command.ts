import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { EmailTaken } from '@cadre/identity';
import { BootstrapService } from '@cadre/members';
import { CliOutput } from '../cli-output';

interface CreateAdminOptions {
  name?: string;
  passwordEnv?: string;
}

/**
 * Creates a platform admin in the operator organisation (created if missing). The password
 * comes from the variable named by --password-env, or is generated and printed once: never
 * from the command line, which shells and `ps` keep.
 */
@Command({ name: 'create-admin', arguments: '<email>', description: 'create a platform admin (in the operator organisation)' })
export class CreateAdminCommand extends CommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bootstrap: BootstrapService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  @Option({ flags: '--name <displayName>', description: 'display name (default "Platform administrator")' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--password-env <variable>', description: 'read the password from this environment variable (at least 12 characters)' })
  parsePasswordEnv(value: string): string {
    return value;
  }

  async run([email]: string[], options: CreateAdminOptions = {}): Promise<void> {
    const given = options.passwordEnv ? process.env[options.passwordEnv] : undefined;
    if (options.passwordEnv && (!given || given.length < 12)) {
      this.out.error(`${options.passwordEnv} must hold a password of at least 12 characters`);
      return this.out.fail();
    }
    const password = given ?? randomBytes(18).toString('base64url');
    try {
      const user = await this.dataSource.transaction(async (em) => {
        const operator = await this.bootstrap.operatorIn(em, { via: 'cli' });
        return this.bootstrap.createPlatformAdmin(em, operator.id, { email, password, displayName: options.name }, { via: 'cli' });
      });
      this.out.write(`created platform admin ${user.email} (${user.id})`);
      if (!given) this.out.write(`password (shown once): ${password}`);
    } catch (err) {
      if (!(err instanceof EmailTaken)) throw err;
      this.out.error('a user with this email already exists');
      this.out.fail();
    }
  }
}
