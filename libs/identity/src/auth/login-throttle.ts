import { createHash } from 'node:crypto';
import { HttpException, HttpStatus, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DomainError } from '@cadre/common';
import { AppConfig } from '@cadre/config';

/** Redis, which holds the failure counts, does not answer: no login is checked blind (503, retry). */
export class LoginThrottleUnavailable extends DomainError {
  readonly code = 'retry';
  constructor() {
    super('Login is unavailable for a moment: retry');
  }
}

const TIMEOUT_MS = 2000;

async function guarded<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch {
    throw new LoginThrottleUnavailable();
  } finally {
    clearTimeout(timer);
  }
}

/** 429 with the seconds to wait (the controller copies them into `Retry-After`). */
export class TooManyLoginFailures extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed logins: retry later', HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Failed logins counted in Redis — shared by every API process — per account and per
 * client address, over a sliding-from-first-failure window (CADRE_LOGIN_WINDOW seconds).
 * Past either limit the token endpoint answers 429 with Retry-After, for every attempt,
 * right or wrong. Successful logins count nothing: many people behind one NAT address
 * log in freely; a success clears its account's count.
 */
@Injectable()
export class LoginThrottle implements OnApplicationShutdown {
  private client?: Redis;

  constructor(private readonly config: AppConfig) {}

  private redis(): Redis {
    if (!this.client) {
      this.client = new Redis(this.config.redisUrl, { connectionName: 'cadre-login-throttle', maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
      this.client.on('error', () => undefined); // surfaced by the failing command
    }
    return this.client;
  }

  private keys(email: string, address: string): { account: string; address: string } {
    const prefix = `${this.config.queuePrefix}:login-failures`;
    const digest = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 32);
    return { account: `${prefix}:account:${digest(email.trim().toLowerCase())}`, address: `${prefix}:address:${digest(address)}` };
  }

  /** Throws TooManyLoginFailures while the account or the address is over its limit. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const { perAccount, perAddress } = this.config.loginThrottle;
    const k = this.keys(email, address);
    const [[, accountCount], [, accountTtl], [, addressCount], [, addressTtl]] = ((await guarded(this.redis().multi().get(k.account).ttl(k.account).get(k.address).ttl(k.address).exec())) ?? []) as [unknown, unknown][];
    const over: number[] = [];
    if (Number(accountCount ?? 0) >= perAccount) over.push(Number(accountTtl));
    if (Number(addressCount ?? 0) >= perAddress) over.push(Number(addressTtl));
    if (over.length) throw new TooManyLoginFailures(Math.max(1, ...over));
  }

  /** Counts a failed attempt against the account and the address. */
  async recordFailure(email: string, address: string): Promise<void> {
    const window = this.config.loginThrottle.windowSeconds;
    const k = this.keys(email, address);
    await guarded(this.redis().multi().incr(k.account).expire(k.account, window, 'NX').incr(k.address).expire(k.address, window, 'NX').exec());
  }

  /** A success clears its account's failures (not the address's). */
  async recordSuccess(email: string, address: string): Promise<void> {
    await guarded(this.redis().del(this.keys(email, address).account));
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.client = undefined;
  }
}
