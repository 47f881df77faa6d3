import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '@cadre/audit';
import { AppConfig } from '@cadre/config';
import { EmailTaken, UsersService } from '@cadre/identity';
import { OrganisationsService } from '@cadre/members';
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
    private readonly config: AppConfig,
    private readonly organisations: OrganisationsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
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
        let operator = await this.organisations.findOperator(em);
        if (!operator) {
          operator = await this.organisations.create(em, { name: this.config.operatorName, college: 'operator', isOperator: true });
          await this.audit.append(em, {
            actorId: null,
            action: 'organisation.created',
            subjectType: 'Organisation',
            subjectId: operator.id,
            organisationIds: [operator.id],
            data: { college: 'operator', via: 'cli' },
          });
        }
        const created = await this.users.create(em, {
          email,
          password,
          displayName: options.name ?? 'Platform administrator',
          organisationId: operator.id,
          roles: ['org_admin'],
          platformRoles: ['platform_admin'],
        });
        await this.audit.append(em, {
          actorId: null,
          action: 'user.created',
          subjectType: 'User',
          subjectId: created.id,
          organisationIds: [operator.id],
          data: { roles: created.roles, platformRoles: created.platformRoles, via: 'cli' },
        });
        return created;
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
