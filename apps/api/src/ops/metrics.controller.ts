import { Controller, Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '@cadre/identity';
import { OperatorGate } from './operator-gate';

/**
 * GET /metrics (path set by PrometheusModule): Prometheus text format. Not public: a platform
 * admin's access token or the scrape token `CADRE_METRICS_TOKEN` (401 without, 403 for others).
 * @Public() only lets it past the global AuthGuard, which would refuse the scrape token.
 */
@ApiTags('ops')
@ApiBearerAuth()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly gate: OperatorGate) {
    super();
  }

  @Get()
  @Public()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus metrics (text exposition format)', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({ description: 'no token, or an invalid one' })
  @ApiForbiddenResponse({ description: 'a token of someone other than a platform admin' })
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    await this.gate.assert(response.req, { scrapeToken: true });
    return super.index(response);
  }
}
