import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListQueryDto } from '@cadre/common';
import { CheckPolicies } from '@cadre/access';
import { Actor, CurrentActor, Public } from '@cadre/identity';
import { ChartersService } from './charters.service';
import { CharterPage, CharterResponse, CreateCharterDto, toCharterResponse } from './dto/charter.dto';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/v1/charters')
export class ChartersController {
  constructor(private readonly charters: ChartersService) {}

  @Post()
  @CheckPolicies((a) => a.can('create', 'Charter'))
  @ApiCreatedResponse({ type: CharterResponse })
  async draft(@CurrentActor() actor: Actor, @Body() body: CreateCharterDto): Promise<CharterResponse> {
    return toCharterResponse(await this.charters.draft(actor, body));
  }

  @Get()
  @CheckPolicies((a) => a.can('read', 'Charter'))
  @ApiOkResponse({ type: CharterPage })
  async list(@Query() query: ListQueryDto): Promise<CharterPage> {
    const page = await this.charters.list(query.limit, query.offset);
    return { items: page.items.map(toCharterResponse), total: page.total };
  }

  @Get(':id')
  @CheckPolicies((a) => a.can('read', 'Charter'))
  @ApiOkResponse({ type: CharterResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<CharterResponse> {
    return toCharterResponse(await this.charters.findOne(id));
  }

  @Post(':id/publish')
  @CheckPolicies((a) => a.can('publish', 'Charter'))
  @HttpCode(200)
  @ApiOkResponse({ type: CharterResponse })
  async publish(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) id: string): Promise<CharterResponse> {
    return toCharterResponse(await this.charters.publish(actor, id));
  }
}

@ApiTags('register')
@Controller('api/v1/register')
export class CharterRegisterController {
  constructor(private readonly charters: ChartersService) {}

  /** The charter in force, public (404 until one is published). */
  @Public()
  @Get('charter')
  @ApiOkResponse({ type: CharterResponse })
  async current(): Promise<CharterResponse> {
    return toCharterResponse(await this.charters.current());
  }
}
