import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';

const bool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const int = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Every environment variable Cadre reads, with its default. `.env.example` mirrors this
 * class; `AppConfig` is the only reader of `process.env`.
 */
export class Environment {
  @IsString() DATABASE_URL = 'postgres://localhost:5432/cadre';
  /** libpq's defaults for a DATABASE_URL without a user name. */
  @IsOptional() @IsString() PGUSER?: string;
  @IsOptional() @IsString() USER?: string;
  /** Optional explicit URLs of the three runtime roles; by default DATABASE_URL with the role's user. */
  @IsOptional() @IsString() DATABASE_APP_URL?: string;
  @IsOptional() @IsString() DATABASE_INGEST_URL?: string;
  @IsOptional() @IsString() DATABASE_COMPUTE_URL?: string;
  /**
   * Optional compute-role URL on a PostgreSQL hot standby: computations read the vault there
   * once it has replayed the versions they were planned on, else on the primary.
   */
  @IsOptional() @IsString() DATABASE_REPLICA_URL?: string;
  /** How long a computation waits for the standby to replay its versions before using the primary (ms). */
  @Transform(int) @IsInt() @Min(0) @Max(60000) CADRE_REPLICA_WAIT_MS = 2000;
  /** Password given to the runtime roles by the migration (none: local trust auth). Secret. */
  @IsOptional() @IsString() CADRE_DB_ROLE_PASSWORD?: string;
  @IsString() REDIS_URL = 'redis://127.0.0.1:6379';
  /** BullMQ key prefix, so that several deployments (or test suites) share one Redis. */
  @IsString() CADRE_QUEUE_PREFIX = 'cadre';
  @Transform(int) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @Transform(bool) @IsBoolean() CADRE_MIGRATE = true;
  @IsOptional() @IsString() CADRE_BOOTSTRAP_ADMIN_EMAIL?: string;
  @IsOptional() @IsString() @MinLength(12) CADRE_BOOTSTRAP_ADMIN_PASSWORD?: string;
  @IsString() CADRE_OPERATOR_NAME = 'Cadre operator';
  /** Encrypts the platform's private signing keys at rest (AES-256-GCM key derived from it). Secret. */
  @IsString() @MinLength(16) CADRE_MASTER_KEY = 'dev-only-master-key-change-me';
  /** HMAC-SHA-256 key of linkage pseudonyms; never stored in the database. Secret. */
  @IsString() @MinLength(16) CADRE_PSEUDONYM_KEY = 'dev-only-pseudonym-key-change-me';
  /** Secret the cell key method's record keys derive from (a seed of the hash of each pseudonym); never stored, logged or returned. Secret. */
  @IsString() @MinLength(16) CADRE_RECORD_KEY_SECRET = 'dev-only-record-key-secret-change-me';
  /** Cap on a result's rows (its declared domain, margins included): larger → 422 too_many_cells. */
  @Transform(int) @IsInt() @Min(1) @Max(1_000_000) CADRE_MAX_RESULT_CELLS = 10000;
  /**
   * HMAC-SHA-256 key of the audit chain: without it, database credentials alone cannot
   * append (or rewrite) well-formed events. Never stored in the database. Secret.
   */
  @IsString() @MinLength(16) CADRE_AUDIT_KEY = 'dev-only-audit-chain-key-change-me';
  /** Seconds after which GET /register/audit-head signs a fresh checkpoint of a moved head. */
  @Transform(int) @IsInt() @Min(0) CADRE_AUDIT_HEAD_MAX_AGE = 5;
  /** Failed logins allowed per account, and per client address, in CADRE_LOGIN_WINDOW seconds (counted in Redis). */
  @Transform(int) @IsInt() @Min(1) CADRE_LOGIN_MAX_FAILURES_PER_ACCOUNT = 5;
  @Transform(int) @IsInt() @Min(1) CADRE_LOGIN_MAX_FAILURES_PER_ADDRESS = 50;
  @Transform(int) @IsInt() @Min(1) CADRE_LOGIN_WINDOW = 900;
  @IsString() CADRE_JWT_ISSUER = 'urn:cadre';
  @IsString() CADRE_JWT_AUDIENCE = 'urn:cadre:api';
  @Transform(int) @IsInt() @Min(30) CADRE_ACCESS_TOKEN_TTL = 900;
  @Transform(int) @IsInt() @Min(60) CADRE_REFRESH_TOKEN_TTL = 14 * 24 * 3600;
  @IsIn(['EdDSA', 'ES256']) CADRE_SIGNING_ALG: 'EdDSA' | 'ES256' = 'EdDSA';
  /** Optional external OIDC issuer whose access tokens are accepted (email claim → user). */
  @IsOptional() @IsString() CADRE_OIDC_ISSUER?: string;
  @IsOptional() @IsString() CADRE_OIDC_JWKS_URL?: string;
  @IsOptional() @IsString() CADRE_OIDC_AUDIENCE?: string;
  @Transform(int) @IsInt() @Min(1) CADRE_ETHICS_QUORUM = 3;
  @Transform(int) @IsInt() @Min(1) CADRE_MAX_COMPUTATIONS = 100;
  @Transform(int) @IsInt() @Min(100) CADRE_STATEMENT_TIMEOUT_MS = 60000;
  /** Token-endpoint rate limit: requests per minute per client address. */
  @Transform(int) @IsInt() @Min(1) CADRE_AUTH_RATE_LIMIT = 20;
  /** Computations one worker process runs at once (they mostly wait on PostgreSQL). */
  @Transform(int) @IsInt() @Min(1) @Max(64) CADRE_WORKER_CONCURRENCY = 4;
  /** Period of the worker's sweeps (outbox re-enqueue, expiries, audit checkpoints), in ms. */
  @Transform(int) @IsInt() @Min(100) CADRE_SWEEP_INTERVAL_MS = 30000;
  /** Largest JSON request body, in bytes (413 above). CSV uploads stream and are not bound by it. */
  @Transform(int) @IsInt() @Min(1024) CADRE_BODY_LIMIT_BYTES = 128 * 1024;
  /** A running job's lease: BullMQ lock duration and the computation's lease; a dead worker's job is taken again after it. */
  @Transform(int) @IsInt() @Min(1000) @Max(300000) CADRE_JOB_LEASE_MS = 10000;
  /** Period of each worker's outbox sweep (re-publishes jobs whose message Redis lost), in ms. */
  @Transform(int) @IsInt() @Min(100) CADRE_OUTBOX_SWEEP_MS = 5000;
  /** Period of the worker's heartbeat in Redis; the API's readiness wants one younger than 3 periods. */
  @Transform(int) @IsInt() @Min(100) CADRE_HEARTBEAT_INTERVAL_MS = 5000;
  /** Optional static bearer token a Prometheus scraper presents to GET /metrics (platform admins' tokens also work). Secret. */
  @IsOptional() @IsString() @MinLength(24) CADRE_METRICS_TOKEN?: string;
  /** Optional: the worker process (`start:worker`) serves GET /metrics on this port, bound to CADRE_WORKER_METRICS_HOST. */
  @IsOptional() @Transform(int) @IsInt() @Min(0) @Max(65535) CADRE_WORKER_METRICS_PORT?: number;
  @IsString() CADRE_WORKER_METRICS_HOST = '127.0.0.1';
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';
}

export const SECRET_VARIABLES = ['CADRE_MASTER_KEY', 'CADRE_PSEUDONYM_KEY', 'CADRE_RECORD_KEY_SECRET', 'CADRE_AUDIT_KEY', 'CADRE_BOOTSTRAP_ADMIN_PASSWORD', 'CADRE_DB_ROLE_PASSWORD', 'CADRE_METRICS_TOKEN'];

/**
 * Values that ship with the code (defaults, .env.example, docker/compose.yaml, the demo and
 * the tests): public, hence never acceptable as a production secret.
 */
const DEV_VALUES: Record<string, readonly string[]> = {
  CADRE_MASTER_KEY: ['dev-only-master-key-change-me', 'test-master-key-0123456789'],
  CADRE_PSEUDONYM_KEY: ['dev-only-pseudonym-key-change-me', 'test-pseudonym-key-0123456789'],
  CADRE_DB_ROLE_PASSWORD: ['cadre-dev-roles'],
  CADRE_BOOTSTRAP_ADMIN_PASSWORD: ['operator-demo-password', 'operator-password-1'],
};
const DEV_DATABASE_PASSWORDS = ['cadre-dev-postgres'];

/**
 * With NODE_ENV=production the process refuses to start on a development secret: the
 * master and pseudonym keys must be set, differ from every value shipped in the
 * repository and from each other. Names only in the error, never values.
 */
export function productionProblems(env: Environment, raw: NodeJS.ProcessEnv): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  for (const name of ['CADRE_MASTER_KEY', 'CADRE_PSEUDONYM_KEY'] as const) {
    if (!raw[name]) problems.push(`${name} is not set`);
  }
  for (const [name, values] of Object.entries(DEV_VALUES)) {
    const value = (env as unknown as Record<string, string | undefined>)[name];
    if (value !== undefined && values.includes(value)) problems.push(`${name} is a development value`);
  }
  if (env.CADRE_MASTER_KEY === env.CADRE_PSEUDONYM_KEY) problems.push('CADRE_MASTER_KEY and CADRE_PSEUDONYM_KEY are equal');
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'DATABASE_INGEST_URL', 'DATABASE_COMPUTE_URL'] as const) {
    const url = env[name];
    if (url && DEV_DATABASE_PASSWORDS.some((p) => passwordOf(url) === p)) problems.push(`${name} uses a development password`);
  }
  return problems;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return undefined;
  }
}

/** The names of every variable `Environment` declares (each carries a validation decorator). */
export function environmentVariableNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

/** Parses and validates an environment; throws one error listing every bad variable (names only, never values). */
export function parseEnvironment(env: NodeJS.ProcessEnv): Environment {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, skipMissingProperties: false });
  if (errors.length) {
    throw new Error(`Invalid configuration: ${errors.map((e) => e.property).join(', ')}`);
  }
  // An external issuer without an audience would accept tokens it issued to any other application.
  if (parsed.CADRE_OIDC_ISSUER && !parsed.CADRE_OIDC_AUDIENCE) {
    throw new Error('Invalid configuration: CADRE_OIDC_AUDIENCE is required with CADRE_OIDC_ISSUER');
  }
  const unsafe = productionProblems(parsed, defined);
  if (unsafe.length) throw new Error(`Refusing to start in production: ${unsafe.join('; ')}`);
  return parsed;
}
