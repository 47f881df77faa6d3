import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestingModule } from '@nestjs/testing';
import { CommandTestFactory } from 'nest-commander-testing';
import { JobQueues } from '@cadre/jobs';
import { CliModule } from '../../apps/cli/src/cli.module';
import { CliOutput } from '../../apps/cli/src/cli-output';
import { login } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';
import { createWorld } from '../support/world';

/** Runs one CLI command against the suite's real database and Redis; returns what it wrote and its exit code. */
async function cadre(platform: TestPlatform, args: string[], options: { database?: boolean } = {}) {
  const written: string[] = [];
  const errors: string[] = [];
  let exitCode = 0;
  const output: CliOutput = {
    write: (text: string) => void written.push(text),
    error: (text: string) => void errors.push(text),
    fail: (code = 1) => void (exitCode = code),
  };
  const app: TestingModule = await CommandTestFactory.createTestingCommand({ imports: [CliModule.forRoot(platform.config, options)] })
    .overrideProvider(CliOutput)
    .useValue(output)
    .compile();
  await CommandTestFactory.run(app, args);
  return { out: written.join('\n'), errors: errors.join('\n'), exitCode };
}

describe('the admin CLI (npm run cadre -- <command>)', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
  });
  afterAll(() => platform.close());

  it('config: prints the effective configuration with every secret masked, without a database', async () => {
    const { out, exitCode } = await cadre(platform, ['config'], { database: false });
    expect(exitCode).toBe(0);
    const shown = JSON.parse(out) as Record<string, unknown>;
    expect(shown.CADRE_QUEUE_PREFIX).toBe(platform.queuePrefix);
    expect(shown.CADRE_MASTER_KEY).toBe('********');
    expect(shown.CADRE_PSEUDONYM_KEY).toBe('********');
    expect(out).not.toContain(platform.config.masterKey);
    expect(out).not.toContain(platform.config.pseudonymKey);
  });

  it('create-admin: creates a platform admin who can log in and reach the operator surfaces', async () => {
    const email = `ops-${randomUUID().slice(0, 8)}@cadre.test`;
    const { out, exitCode } = await cadre(platform, ['create-admin', email, '--name', 'Night operator']);
    expect(exitCode).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(out)?.[1] ?? '';
    const token = (await login(platform, email, password)).accessToken;
    const me = await platform.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.body).toMatchObject({ email, displayName: 'Night operator', platformRoles: ['platform_admin'] });
    expect((await platform.http().get('/metrics').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    // The same e-mail twice: refused, exit code 1.
    const again = await cadre(platform, ['create-admin', email]);
    expect(again.exitCode).toBe(1);
    expect(again.errors).toMatch(/already exists/);
  });

  it('create-admin --password-env: takes the password from the named variable, never prints it', async () => {
    const email = `ops-${randomUUID().slice(0, 8)}@cadre.test`;
    process.env.CADRE_TEST_NEW_ADMIN_PASSWORD = `pw-${randomUUID()}`;
    try {
      const { out, exitCode } = await cadre(platform, ['create-admin', email, '--password-env', 'CADRE_TEST_NEW_ADMIN_PASSWORD']);
      expect(exitCode).toBe(0);
      expect(out).not.toContain(process.env.CADRE_TEST_NEW_ADMIN_PASSWORD);
      await login(platform, email, process.env.CADRE_TEST_NEW_ADMIN_PASSWORD);
    } finally {
      delete process.env.CADRE_TEST_NEW_ADMIN_PASSWORD;
    }
  });

  it('rotate-keys: a new key signs, the retired one stays in the JWKS', async () => {
    const before = (await platform.http().get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid) as string[];
    const { out, exitCode } = await cadre(platform, ['rotate-keys']);
    expect(exitCode).toBe(0);
    const [, retired, active] = /retired (\S+); active (\S+)/.exec(out) ?? [];
    expect(before).toContain(retired);
    const { rows } = await platform.owner.query(`SELECT kid, status FROM cadre.signing_keys WHERE kid = ANY($1)`, [[retired, active]]);
    expect(Object.fromEntries(rows.map((r) => [r.kid, r.status]))).toEqual({ [retired]: 'retired', [active]: 'active' });
  });

  it('verify-audit: exit code 0 on an intact chain, 1 once a superuser edits an event', async () => {
    const intact = await cadre(platform, ['verify-audit']);
    expect(intact.exitCode).toBe(0);
    expect(JSON.parse(intact.out)).toMatchObject({ valid: true });
    const { rows } = await platform.owner.query<{ seq: string }>('SELECT seq FROM cadre.audit_events ORDER BY seq LIMIT 1');
    await platform.owner.query('ALTER TABLE cadre.audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await platform.owner.query(`UPDATE cadre.audit_events SET action = 'nothing.happened' WHERE seq = $1`, [rows[0].seq]);
    } finally {
      await platform.owner.query('ALTER TABLE cadre.audit_events ENABLE TRIGGER audit_events_append_only');
    }
    const broken = await cadre(platform, ['verify-audit']);
    expect(broken.exitCode).toBe(1);
    expect(JSON.parse(broken.out)).toMatchObject({ valid: false, brokenAtSeq: Number(rows[0].seq) });
  });

  it('republish-outbox: publishes again a job whose message was lost, leaves a recent one alone', async () => {
    const stuck = randomUUID();
    const recent = randomUUID();
    await platform.owner.query(
      `INSERT INTO cadre.outbox (id, name, payload, status, created_at, published_at) VALUES
         ($1, 'ping', $2, 'published', now() - interval '1 hour', now() - interval '1 hour'),
         ($3, 'ping', $4, 'pending', now(), NULL)`,
      [stuck, JSON.stringify({ pingId: randomUUID() }), recent, JSON.stringify({ pingId: randomUUID() })],
    );
    const queues = platform.app.get(JobQueues, { strict: false });
    expect(await queues.has('ping', stuck)).toBe(false);
    const { out, exitCode } = await cadre(platform, ['republish-outbox', '--older-than', '600']);
    expect(exitCode).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ republished: 1, ids: [stuck] });
    expect(await queues.has('ping', stuck)).toBe(true);
    expect(await queues.has('ping', recent)).toBe(false);
    // Run again: the message is queued now, so nothing is published twice.
    expect(JSON.parse((await cadre(platform, ['republish-outbox', '--older-than', '600'])).out)).toMatchObject({ republished: 0, stillQueued: 1 });
  });

  it('export-register: writes the register as the public route serves it (CSV), or JSON', async () => {
    const world = createWorld(platform);
    const { useCase } = await world.trustedUseCase();
    const dir = await mkdtemp(join(tmpdir(), 'cadre-register-'));
    const file = join(dir, 'register.csv');
    const { exitCode } = await cadre(platform, ['export-register', '--format', 'csv', '--out', file]);
    expect(exitCode).toBe(0);
    const served = await platform.http().get('/api/v1/register/use-cases').query({ format: 'csv' });
    const written = await readFile(file, 'utf8');
    expect(written).toContain(useCase.id);
    expect(written).toBe(served.text);
    const json = JSON.parse((await cadre(platform, ['export-register'])).out);
    expect(json.items.map((e: { id: string }) => e.id)).toEqual([useCase.id]);
    expect(JSON.stringify(json)).not.toContain(ADMIN.email); // no user data in the register
  });
});
