import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '@cadre/identity';
import { RedisProbe } from '@cadre/jobs';

const CHECK_TIMEOUT_MS = 1000;

class HealthDependency {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
}
class HealthDependencies {
  @ApiProperty({ type: HealthDependency, required: false }) database?: HealthDependency;
  @ApiProperty({ type: HealthDependency, required: false }) redis?: HealthDependency;
}
class HealthResponse {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: HealthDependencies, description: 'dependencies that are up' }) info: HealthDependencies;
  @ApiProperty({ type: HealthDependencies, description: 'dependencies that are down' }) error: HealthDependencies;
  @ApiProperty({ type: HealthDependencies }) details: HealthDependencies;
}

/** Liveness of the API and its two dependencies, for load balancers and compose healthchecks. */
@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisProbe,
  ) {}

  @Get()
  @Public()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }), () => this.redisCheck()]);
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
}
