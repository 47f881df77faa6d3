import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CheckPolicies } from '@cadre/access';
import { ListQueryDto } from '@cadre/common';
import type { Page } from '@cadre/common';
import { CurrentActor } from '@cadre/identity';
import type { Actor } from '@cadre/identity';
import { ComputationListService, ComputationSummary } from './computation-list.service';
import { UsageService, UsageView } from './usage.service';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('computations')
@ApiBearerAuth()
@Controller('api/v1')
export class ComputationListController {
  constructor(
    private readonly computations: ComputationListService,
    private readonly usageService: UsageService,
  ) {}

  @Get('use-cases/:id/computations')
  @ApiOperation({ summary: "A use case's computations, newest first, without results (the team, the providers; 404 for anyone else)" })
  @ApiOkResponse({ description: '{items: [{id, useCaseId, status, submittedBy, query, rejection?, failure?, epsilon, releaseMode, createdAt, finishedAt}], total}' })
  async list(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() page: ListQueryDto): Promise<Page<ComputationSummary>> {
    return this.computations.list(actor, id, page.limit, page.offset);
  }

  @Get('usage')
  @CheckPolicies((ability) => ability.can('read', 'Usage'))
  @ApiOperation({ summary: 'Platform usage per member and per use case: counts, rounded row totals and epsilon spent only (platform_admin)' })
  @ApiOkResponse({ description: '{members: [{organisationId, name, college, computations, computationsOnItsData, datasets, rowsContributed, epsilonSpent}], useCases: [{useCaseId, title, status, requesterOrganisationId, computations, released, rejected, epsilonSpent}], generatedAt}' })
  async usage(): Promise<UsageView> {
    return this.usageService.usage();
  }
}
