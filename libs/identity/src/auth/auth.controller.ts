import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Actor } from '../actor';
import { CurrentActor, Public } from '../decorators';
import { AuthService } from './auth.service';
import { MeResponseDto, RefreshRequestDto, TokenRequestDto, TokenResponseDto } from './dto/auth.dto';

@ApiTags('identity')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('auth/token')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiTooManyRequestsResponse({ description: 'Too many token requests from this address' })
  token(@Body() body: TokenRequestDto): Promise<TokenResponseDto> {
    return this.auth.login(body.email, body.password);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() body: RefreshRequestDto): Promise<TokenResponseDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @ApiBearerAuth()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  logout(@CurrentActor() actor: Actor, @Body() body: RefreshRequestDto): Promise<void> {
    return this.auth.logout(actor, body.refreshToken);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentActor() actor: Actor): MeResponseDto {
    return toMeResponse(actor);
  }
}

function toMeResponse(a: Actor): MeResponseDto {
  return { id: a.id, email: a.email, displayName: a.displayName, organisationId: a.organisationId, roles: a.roles, platformRoles: a.platformRoles };
}
