import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListQueryDto, Page } from '@cadre/common';
import { CheckPolicies } from '@cadre/access';
import type { Actor } from '../actor';
import { CurrentActor } from '../decorators';
import { CreateUserDto, SetPlatformRolesDto, UpdateUserDto, UserPageDto, UserResponseDto } from './dto/users.dto';
import { UserAdminService } from './user-admin.service';
import type { UserView } from './user-view';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('api/v1')
export class UsersController {
  constructor(private readonly admin: UserAdminService) {}

  @Post('organisations/:id/users')
  @CheckPolicies((a) => a.can('create', 'User'))
  @ApiCreatedResponse({ type: UserResponseDto })
  async create(@CurrentActor() actor: Actor, @Param('id') organisationId: string, @Body() body: CreateUserDto): Promise<UserResponseDto> {
    return toUserResponse(await this.admin.createInOrganisation(actor, organisationId, body));
  }

  @Get('organisations/:id/users')
  @ApiOkResponse({ type: UserPageDto })
  async list(@CurrentActor() actor: Actor, @Param('id') organisationId: string, @Query() query: ListQueryDto): Promise<Page<UserResponseDto>> {
    const page = await this.admin.listOrganisation(actor, organisationId, query.limit, query.offset);
    return { items: page.items.map(toUserResponse), total: page.total };
  }

  @Put('users/:id/platform-roles')
  @CheckPolicies((a) => a.can('update', 'PlatformRoles'))
  @ApiOkResponse({ type: UserResponseDto })
  async setPlatformRoles(@CurrentActor() actor: Actor, @Param('id') userId: string, @Body() body: SetPlatformRolesDto): Promise<UserResponseDto> {
    return toUserResponse(await this.admin.setPlatformRoles(actor, userId, body.platformRoles));
  }

  /** An org_admin (or the platform admin) changes a user's organisation roles or deactivates them (every session ends). */
  @Patch('users/:id')
  @CheckPolicies((a) => a.can('update', 'User'))
  @ApiOkResponse({ type: UserResponseDto })
  async update(@CurrentActor() actor: Actor, @Param('id', ParseUUIDPipe) userId: string, @Body() body: UpdateUserDto): Promise<UserResponseDto> {
    return toUserResponse(await this.admin.update(actor, userId, body));
  }
}

export function toUserResponse(u: UserView): UserResponseDto {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    organisationId: u.organisationId,
    roles: u.roles,
    platformRoles: u.platformRoles,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
  };
}
