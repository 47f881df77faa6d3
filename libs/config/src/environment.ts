import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';

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
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';
}

export const SECRET_VARIABLES = ['CADRE_MASTER_KEY', 'CADRE_PSEUDONYM_KEY', 'CADRE_BOOTSTRAP_ADMIN_PASSWORD', 'CADRE_DB_ROLE_PASSWORD'];

/** Parses and validates an environment; throws one error listing every bad variable (names only, never values). */
export function parseEnvironment(env: NodeJS.ProcessEnv): Environment {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, skipMissingProperties: false });
  if (errors.length) {
    throw new Error(`Invalid configuration: ${errors.map((e) => e.property).join(', ')}`);
  }
  return parsed;
}
