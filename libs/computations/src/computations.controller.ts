import { Body, Controller, Get, Header, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CheckPolicies } from '@cadre/access';
import { CurrentActor } from '@cadre/identity';
import type { Actor } from '@cadre/identity';
import { ComputationsService } from './computations.service';
import {
  BudgetResponse,
  ComputationAcceptedResponse,
  ComputationResponse,
  toBudgetResponse,
  toComputationResponse,
} from './dto/computation.response';
import { GetComputationQuery, SubmitComputationDto } from './query/computation-query.dto';
import { normaliseQuery } from './query/query';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('computations')
@ApiBearerAuth()
@Controller('api/v1')
export class ComputationsController {
  constructor(private readonly computations: ComputationsService) {}

  @Post('use-cases/:id/computations')
  @HttpCode(202)
  @CheckPolicies((ability) => ability.can('create', 'Computation'))
  @ApiOperation({ summary: 'Submit a computation (a researcher of the team); checked now (422), run by the worker' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'the same key and query answer the first computation again' })
  @ApiAcceptedResponse({ type: ComputationAcceptedResponse })
  async submit(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Body() body: SubmitComputationDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<ComputationAcceptedResponse> {
    return this.computations.submit(actor, id, normaliseQuery(body.query), key);
  }

  @Get('computations/:id')
  @ApiOperation({ summary: 'A computation (the team, the providers); `?wait=N` holds the answer up to N s until it leaves the queue' })
  @ApiOkResponse({ type: ComputationResponse })
  async get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: GetComputationQuery): Promise<ComputationResponse> {
    return toComputationResponse(query.wait ? await this.computations.waitFor(actor, id, query.wait) : await this.computations.get(actor, id));
  }

  @Get('computations/:id/result.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The released result as CSV (the team)' })
  @ApiOkResponse({ schema: { type: 'string' } })
  async csv(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<string> {
    return this.computations.resultCsv(actor, id);
  }

  @Post('computations/:id/release')
  @HttpCode(200)
  @CheckPolicies((ability) => ability.can('release', 'Computation'))
  @ApiOperation({ summary: 'Release a result held for provider review (provider org_admin or data_steward)' })
  @ApiOkResponse({ type: ComputationResponse })
  async release(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ComputationResponse> {
    return toComputationResponse(await this.computations.release(actor, id));
  }

  @Post('computations/:id/cancel')
  @HttpCode(200)
  @CheckPolicies((ability) => ability.can('cancel', 'Computation'))
  @ApiOperation({ summary: 'Cancel a queued computation (the team)' })
  @ApiOkResponse({ type: ComputationResponse })
  async cancel(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ComputationResponse> {
    return toComputationResponse(await this.computations.cancel(actor, id));
  }

  @Get('use-cases/:id/budget')
  @ApiOperation({ summary: 'Privacy budget and computation allowance of a use case (the team, the providers)' })
  @ApiOkResponse({ type: BudgetResponse })
  async budget(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<BudgetResponse> {
    return toBudgetResponse(await this.computations.budget(actor, id));
  }
}
