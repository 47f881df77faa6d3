import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '@cadre/identity';
import { RedisProbe, WorkerHeartbeats } from '@cadre/jobs';

const CHECK_TIMEOUT_MS = 1000;

class HealthDependency {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
}
class HealthDependencies {
  @ApiProperty({ type: HealthDependency, required: false }) database?: HealthDependency;
  @ApiProperty({ type: HealthDependency, required: false }) redis?: HealthDependency;
  @ApiProperty({ type: HealthDependency, required: false, description: 'readiness only: at least one worker heartbeat younger than 3 periods' }) workers?: HealthDependency;
}
class LiveResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}
class HealthResponse {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: HealthDependencies, description: 'dependencies that are up' }) info: HealthDependencies;
  @ApiProperty({ type: HealthDependencies, description: 'dependencies that are down' }) error: HealthDependencies;
  @ApiProperty({ type: HealthDependencies }) details: HealthDependencies;
}

/**
 * Health for load balancers and orchestrators: `/health` (API.md: PostgreSQL and Redis),
 * `/health/live` (the process answers; restart it when this fails) and `/health/ready`
 * (PostgreSQL, Redis and a live worker heartbeat; route traffic only when this is 200).
 */
@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisProbe,
    private readonly heartbeats: WorkerHeartbeats,
  ) {}

  @Get('live')
  @Public()
  @ApiOkResponse({ type: LiveResponse, description: 'the process is up and its event loop turns; no dependency is checked' })
  live(): LiveResponse {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'a dependency is down, or no worker has beaten lately' })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res, [() => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }), () => this.redisCheck(), () => this.workersCheck()]);
  }

  @Get()
  @Public()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse })
  check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.run(res, [() => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }), () => this.redisCheck()]);
  }

  private async run(res: Response, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      // Keep terminus's {status, info, error, details} body, with a 503.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  private async redisCheck() {
    const indicator = this.indicators.check('redis');
    try {
      await this.redis.ping(CHECK_TIMEOUT_MS);
      return indicator.up();
    } catch {
      return indicator.down({ message: 'redis unreachable' });
    }
  }

  private async workersCheck() {
    const indicator = this.indicators.check('workers');
    try {
      const alive = await this.heartbeats.count(CHECK_TIMEOUT_MS);
      return alive > 0 ? indicator.up({ alive }) : indicator.down({ alive, message: 'no worker heartbeat' });
    } catch {
      return indicator.down({ message: 'worker heartbeats unreadable (redis unreachable)' });
    }
  }
}
