import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CheckPolicies } from '@cadre/access';
import { Actor, CurrentActor } from '@cadre/identity';
import { CastVoteDto, toVoteResponse, VoteResponse } from './dto/decision.dto';
import {
  AmendUseCaseDto,
  CreateUseCaseDto,
  ListUseCasesQueryDto,
  toUseCaseInput,
  toUseCaseResponse,
  UpdateUseCaseDto,
  UseCasePage,
  UseCaseResponse,
} from './dto/use-case.dto';
import { ReviewsService } from './reviews.service';
import { TeamConsentService } from './team-consent.service';
import { AcceptTeamDto, TeamAcceptanceResponse } from './dto/team-acceptance.dto';
import { UseCaseInput, UseCasesService } from './use-cases.service';

@ApiTags('ethics')
@ApiBearerAuth()
@Controller('api/v1/use-cases')
export class UseCasesController {
  constructor(
    private readonly useCases: UseCasesService,
    private readonly reviews: ReviewsService,
    private readonly teamConsent: TeamConsentService,
  ) {}

  @Post()
  @CheckPolicies((a) => a.can('create', 'UseCase'))
  @ApiCreatedResponse({ type: UseCaseResponse })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUseCaseDto): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.useCases.create(actor, toUseCaseInput(body) as UseCaseInput));
  }

  @Get()
  @ApiOkResponse({ type: UseCasePage })
  async list(@CurrentActor() actor: Actor, @Query() query: ListUseCasesQueryDto): Promise<UseCasePage> {
    const page = await this.useCases.list(actor, query.limit, query.offset, query.status);
    return { items: page.items.map(toUseCaseResponse), total: page.total };
  }

  @Get(':id')
  @ApiOkResponse({ type: UseCaseResponse })
  async get(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.useCases.get(actor, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: UseCaseResponse })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateUseCaseDto): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.useCases.update(actor, id, toUseCaseInput(body)));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOkResponse({ type: UseCaseResponse })
  async submit(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.useCases.submit(actor, id));
  }

  @Post(':id/votes')
  @CheckPolicies((a) => a.can('vote', 'UseCase'))
  @ApiCreatedResponse({ type: VoteResponse })
  async vote(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: CastVoteDto): Promise<VoteResponse> {
    return toVoteResponse((await this.reviews.vote(actor, id, body)).vote);
  }

  /** A researcher of another organisation named on the team (or their org_admin) accepts to join it. */
  @Post(':id/team-acceptances')
  @ApiCreatedResponse({ type: TeamAcceptanceResponse })
  async acceptTeam(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: AcceptTeamDto): Promise<TeamAcceptanceResponse> {
    const a = await this.teamConsent.accept(actor, id, body.userId);
    return { useCaseId: a.useCaseId, userId: a.userId, acceptedBy: a.acceptedBy, acceptedAt: a.acceptedAt.toISOString() };
  }

  @Post(':id/amendments')
  @HttpCode(200)
  @ApiOkResponse({ type: UseCaseResponse })
  async amend(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: AmendUseCaseDto): Promise<UseCaseResponse> {
    return toUseCaseResponse(await this.reviews.amend(actor, id, toUseCaseInput(body.changes), body.reason));
  }
}
