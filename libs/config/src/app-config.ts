import { Environment, SECRET_VARIABLES, environmentVariableNames, parseEnvironment } from './environment';

export type DatabaseRole = 'owner' | 'app' | 'ingest' | 'compute';

/** Database role names; roles are cluster-wide, their grants per database. */
export const DB_ROLES = { app: 'cadre_app', ingest: 'cadre_ingest', compute: 'cadre_compute', vault: 'cadre_vault' } as const;

/** The typed, validated configuration, parsed once at boot. */
export class AppConfig {
  private constructor(private readonly env: Environment) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
    return new AppConfig(parseEnvironment(env));
  }

  /** URL of a database role: the owner runs migrations; app, ingest and compute run the platform. */
  databaseUrl(role: DatabaseRole = 'owner'): string {
    const explicit = { owner: this.env.DATABASE_URL, app: this.env.DATABASE_APP_URL, ingest: this.env.DATABASE_INGEST_URL, compute: this.env.DATABASE_COMPUTE_URL }[role];
    if (explicit) return role === 'owner' ? this.withDefaultUser(explicit) : explicit;
    const url = new URL(this.env.DATABASE_URL);
    url.username = DB_ROLES[role as Exclude<DatabaseRole, 'owner'>];
    url.password = this.env.CADRE_DB_ROLE_PASSWORD ?? '';
    return url.toString();
  }
  private withDefaultUser(raw: string): string {
    const url = new URL(raw);
    if (url.username) return raw;
    url.username = this.env.PGUSER ?? this.env.USER ?? 'postgres';
    return url.toString();
  }
  /** The standby's compute-role URL, when computations may read there (README, "Reads on a replica"). */
  get replica(): { url: string; waitMs: number } | undefined {
    return this.env.DATABASE_REPLICA_URL ? { url: this.env.DATABASE_REPLICA_URL, waitMs: this.env.CADRE_REPLICA_WAIT_MS } : undefined;
  }
  get dbRolePassword() { return this.env.CADRE_DB_ROLE_PASSWORD; }
  get redisUrl() { return this.env.REDIS_URL; }
  get queuePrefix() { return this.env.CADRE_QUEUE_PREFIX; }
  get port() { return this.env.PORT; }
  get migrate() { return this.env.CADRE_MIGRATE; }
  get bootstrapAdmin(): { email: string; password: string } | undefined {
    const { CADRE_BOOTSTRAP_ADMIN_EMAIL: email, CADRE_BOOTSTRAP_ADMIN_PASSWORD: password } = this.env;
    return email && password ? { email, password } : undefined;
  }
  get operatorName() { return this.env.CADRE_OPERATOR_NAME; }
  get masterKey() { return this.env.CADRE_MASTER_KEY; }
  get pseudonymKey() { return this.env.CADRE_PSEUDONYM_KEY; }
  get recordKeySecret() { return this.env.CADRE_RECORD_KEY_SECRET; }
  get maxResultCells() { return this.env.CADRE_MAX_RESULT_CELLS; }
  get jwtIssuer() { return this.env.CADRE_JWT_ISSUER; }
  get jwtAudience() { return this.env.CADRE_JWT_AUDIENCE; }
  get accessTokenTtl() { return this.env.CADRE_ACCESS_TOKEN_TTL; }
  get refreshTokenTtl() { return this.env.CADRE_REFRESH_TOKEN_TTL; }
  get signingAlg() { return this.env.CADRE_SIGNING_ALG; }
  get auditKey() { return this.env.CADRE_AUDIT_KEY; }
  get auditHeadMaxAgeSeconds() { return this.env.CADRE_AUDIT_HEAD_MAX_AGE; }
  get loginThrottle() {
    return { perAccount: this.env.CADRE_LOGIN_MAX_FAILURES_PER_ACCOUNT, perAddress: this.env.CADRE_LOGIN_MAX_FAILURES_PER_ADDRESS, windowSeconds: this.env.CADRE_LOGIN_WINDOW };
  }
  get oidc(): { issuer: string; jwksUrl: string; audience: string } | undefined {
    const { CADRE_OIDC_ISSUER: issuer, CADRE_OIDC_JWKS_URL: jwksUrl, CADRE_OIDC_AUDIENCE: audience } = this.env;
    return issuer && jwksUrl && audience ? { issuer, jwksUrl, audience } : undefined;
  }
  get ethicsQuorum() { return this.env.CADRE_ETHICS_QUORUM; }
  get maxComputations() { return this.env.CADRE_MAX_COMPUTATIONS; }
  get statementTimeoutMs() { return this.env.CADRE_STATEMENT_TIMEOUT_MS; }
  get authRateLimit() { return this.env.CADRE_AUTH_RATE_LIMIT; }
  get workerConcurrency() { return this.env.CADRE_WORKER_CONCURRENCY; }
  get sweepIntervalMs() { return this.env.CADRE_SWEEP_INTERVAL_MS; }
  get bodyLimitBytes() { return this.env.CADRE_BODY_LIMIT_BYTES; }
  get jobLeaseMs() { return this.env.CADRE_JOB_LEASE_MS; }
  get outboxSweepMs() { return this.env.CADRE_OUTBOX_SWEEP_MS; }
  get heartbeatIntervalMs() { return this.env.CADRE_HEARTBEAT_INTERVAL_MS; }
  get metricsToken() { return this.env.CADRE_METRICS_TOKEN; }
  get workerMetrics(): { port: number; host: string } | undefined {
    const port = this.env.CADRE_WORKER_METRICS_PORT;
    return port === undefined ? undefined : { port, host: this.env.CADRE_WORKER_METRICS_HOST };
  }
  get logLevel() { return this.env.LOG_LEVEL; }
  get isProduction() { return this.env.NODE_ENV === 'production'; }

  /**
   * Every variable Cadre reads, as this process sees it (defaults applied), with secrets
   * masked and passwords removed from URLs: what `npm run cadre -- config` prints.
   */
  effective(): Record<string, string | number | boolean | null> {
    const out: Record<string, string | number | boolean | null> = {};
    for (const name of environmentVariableNames()) {
      if (name === 'USER' || name === 'PGUSER') continue;
      const value = (this.env as unknown as Record<string, unknown>)[name];
      if (value === undefined) out[name] = null;
      else if (SECRET_VARIABLES.includes(name)) out[name] = '********';
      else if (typeof value === 'string' && /^(postgres(ql)?|rediss?):\/\//.test(value)) out[name] = maskUrl(value);
      else out[name] = value as string | number | boolean;
    }
    return out;
  }
}

function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '********';
    return url.toString();
  } catch {
    return '********';
  }
}
