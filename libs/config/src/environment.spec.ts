import { AppConfig } from './app-config';
import { environmentVariableNames, parseEnvironment } from './environment';

const STRONG = { CADRE_MASTER_KEY: 'a-production-master-key-of-some-length', CADRE_PSEUDONYM_KEY: 'another-production-pseudonym-key-value' };

describe('production safety', () => {
  it('refuses to start in production on the built-in development keys', () => {
    expect(() => parseEnvironment({ NODE_ENV: 'production' })).toThrow(/CADRE_MASTER_KEY is not set.*CADRE_PSEUDONYM_KEY is not set/);
  });

  it('refuses the development values even when set explicitly (as .env.example does)', () => {
    const env = { NODE_ENV: 'production', CADRE_MASTER_KEY: 'dev-only-master-key-change-me', CADRE_PSEUDONYM_KEY: STRONG.CADRE_PSEUDONYM_KEY };
    expect(() => parseEnvironment(env)).toThrow(/CADRE_MASTER_KEY is a development value/);
  });

  it("refuses compose's development role and database passwords", () => {
    const env = { NODE_ENV: 'production', ...STRONG, CADRE_DB_ROLE_PASSWORD: 'cadre-dev-roles', DATABASE_URL: 'postgres://postgres:cadre-dev-postgres@db:5432/cadre' };
    expect(() => parseEnvironment(env)).toThrow(/CADRE_DB_ROLE_PASSWORD is a development value; DATABASE_URL uses a development password/);
  });

  it('refuses one key used for both purposes', () => {
    const env = { NODE_ENV: 'production', CADRE_MASTER_KEY: STRONG.CADRE_MASTER_KEY, CADRE_PSEUDONYM_KEY: STRONG.CADRE_MASTER_KEY };
    expect(() => parseEnvironment(env)).toThrow(/are equal/);
  });

  it('names the variables, never their values', () => {
    const env = { NODE_ENV: 'production', CADRE_MASTER_KEY: 'dev-only-master-key-change-me', CADRE_PSEUDONYM_KEY: 'dev-only-master-key-change-me' };
    expect(() => parseEnvironment(env)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('dev-only') }));
  });

  it('starts in production with real secrets, and in development with the defaults', () => {
    expect(parseEnvironment({ NODE_ENV: 'production', ...STRONG }).NODE_ENV).toBe('production');
    expect(parseEnvironment({}).CADRE_MASTER_KEY).toBe('dev-only-master-key-change-me');
  });
});

describe('AppConfig.effective()', () => {
  it('lists every declared variable, masks secrets and URL passwords, and nothing from the rest of the environment', () => {
    const shown = AppConfig.fromEnv({ ...STRONG, CADRE_DB_ROLE_PASSWORD: 'role-secret', DATABASE_URL: 'postgres://owner:owner-secret@db/cadre', HOME: '/root' }).effective();
    const text = JSON.stringify(shown);
    for (const secret of ['role-secret', 'owner-secret', STRONG.CADRE_MASTER_KEY, STRONG.CADRE_PSEUDONYM_KEY]) expect(text).not.toContain(secret);
    expect(shown.CADRE_MASTER_KEY).toBe('********');
    expect(shown.DATABASE_URL).toBe('postgres://owner:********@db/cadre');
    expect(shown.HOME).toBeUndefined();
    expect(Object.keys(shown).sort()).toEqual(environmentVariableNames().filter((n) => n !== 'USER' && n !== 'PGUSER'));
    expect(shown.CADRE_ETHICS_QUORUM).toBe(3);
  });
});
