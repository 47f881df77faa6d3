import { Body, Controller, Get, HttpCode, Ip, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AllowedOutOfStanding } from '@cadre/access';
import type { Actor } from '../actor';
import { CurrentActor, CurrentSession, Public } from '../decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto, MeResponseDto, RefreshRequestDto, TokenRequestDto, TokenResponseDto } from './dto/auth.dto';
import { TooManyLoginFailures } from './login-throttle';

@ApiTags('identity')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/token')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this account or from this address (Retry-After)' })
  async token(@Body() body: TokenRequestDto, @Ip() address: string, @Res({ passthrough: true }) res: Response): Promise<TokenResponseDto> {
    try {
      return await this.auth.login(body.email, body.password, address ?? 'unknown');
    } catch (err) {
      if (err instanceof TooManyLoginFailures) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      throw err;
    }
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() body: RefreshRequestDto): Promise<TokenResponseDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @ApiBearerAuth()
  @AllowedOutOfStanding()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  logout(@CurrentActor() actor: Actor, @CurrentSession() session: string | undefined, @Body() body: RefreshRequestDto): Promise<void> {
    return this.auth.logout(actor, body.refreshToken, session);
  }

  /** Changes the caller's password; every session of theirs ends (log in again). */
  @ApiBearerAuth()
  @AllowedOutOfStanding()
  @Post('me/password')
  @HttpCode(204)
  @ApiNoContentResponse()
  changePassword(@CurrentActor() actor: Actor, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(actor, body.currentPassword, body.newPassword);
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
