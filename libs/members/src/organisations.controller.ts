import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListQueryDto } from '@cadre/common';
import { AllowedOutOfStanding, CheckPolicies } from '@cadre/access';
import { Actor, CurrentActor } from '@cadre/identity';
import { AdherencesService } from './adherences.service';
import { AdhereDto, AdherenceResponse, toAdherenceResponse } from './dto/charter.dto';
import { OrganisationKeyResponse, RegisterKeyDto, toOrganisationKeyResponse } from './dto/organisation-key.dto';
import { CreateOrganisationDto, OrganisationPage, OrganisationResponse, toOrganisationResponse, UpdateOrganisationDto } from './dto/organisation.dto';
import { OrganisationKeysService } from './organisation-keys.service';
import { OrganisationsService } from './organisations.service';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/v1/organisations')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly adherences: AdherencesService,
    private readonly keys: OrganisationKeysService,
  ) {}

  @Post()
  @CheckPolicies((a) => a.can('create', 'Organisation'))
  @ApiCreatedResponse({ type: OrganisationResponse })
  async admit(@CurrentActor() actor: Actor, @Body() body: CreateOrganisationDto): Promise<OrganisationResponse> {
    return toOrganisationResponse(await this.organisations.admit(actor, body));
  }

  @Get()
  @CheckPolicies((a) => a.can('read', 'Organisation'))
  @ApiOkResponse({ type: OrganisationPage })
  async list(@Query() query: ListQueryDto): Promise<OrganisationPage> {
    const page = await this.organisations.list(query.limit, query.offset);
    return { items: page.items.map(toOrganisationResponse), total: page.total };
  }

  @Get(':id')
  @CheckPolicies((a) => a.can('read', 'Organisation'))
  @ApiOkResponse({ type: OrganisationResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<OrganisationResponse> {
    return toOrganisationResponse(await this.organisations.view(id));
  }

  @Patch(':id')
  @CheckPolicies((a) => a.can('update', 'Organisation'))
  @ApiOkResponse({ type: OrganisationResponse })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateOrganisationDto): Promise<OrganisationResponse> {
    return toOrganisationResponse(await this.organisations.setStatus(actor, id, body.status));
  }

  @Post(':id/adherences')
  @AllowedOutOfStanding()
  @CheckPolicies((a) => a.can('create', 'Adherence'))
  @ApiCreatedResponse({ type: AdherenceResponse })
  async adhere(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: AdhereDto): Promise<AdherenceResponse> {
    return toAdherenceResponse(await this.adherences.adhere(actor, id, body.charterId));
  }

  @Get(':id/adherences')
  @CheckPolicies((a) => a.can('read', 'Adherence'))
  @ApiOkResponse({ type: [AdherenceResponse] })
  async adherencesOf(@Param('id', ParseUUIDPipe) id: string): Promise<AdherenceResponse[]> {
    return (await this.adherences.listFor(id)).map(toAdherenceResponse);
  }

  @Post(':id/keys')
  @CheckPolicies((a) => a.can('create', 'OrganisationKey'))
  @HttpCode(201)
  @ApiCreatedResponse({ type: OrganisationKeyResponse })
  async registerKey(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Body() body: RegisterKeyDto): Promise<OrganisationKeyResponse> {
    return toOrganisationKeyResponse(await this.keys.register(actor, id, body.jwk));
  }

  /** Revokes a key: it signs nothing new; contract signatures made with it before stay valid. */
  @Post(':id/keys/:kid/revoke')
  @AllowedOutOfStanding()
  @CheckPolicies((a) => a.can('create', 'OrganisationKey'))
  @HttpCode(200)
  @ApiOkResponse({ type: OrganisationKeyResponse })
  async revokeKey(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string, @Param('kid') kid: string): Promise<OrganisationKeyResponse> {
    return toOrganisationKeyResponse(await this.keys.revoke(actor, id, kid));
  }

  @Get(':id/keys')
  @CheckPolicies((a) => a.can('read', 'OrganisationKey'))
  @ApiOkResponse({ type: [OrganisationKeyResponse] })
  async keysOf(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<OrganisationKeyResponse[]> {
    return (await this.keys.list(actor, id)).map(toOrganisationKeyResponse);
  }
}
