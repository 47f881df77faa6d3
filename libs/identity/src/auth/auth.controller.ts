import { Body, Controller, Get, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AllowedOutOfStanding } from '@cadre/access';
import { InvalidInput } from '@cadre/common';
import type { Actor } from '../actor';
import { CurrentActor, CurrentSession, Public } from '../decorators';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LogoutRequestDto, MeResponseDto, RefreshRequestDto, TokenRequestDto, TokenResponseDto } from './dto/auth.dto';
import { TooManyLoginFailures } from './login-throttle';
import { assertSameOrigin, clearRefreshCookie, readRefreshCookie, setRefreshCookie, wantsCookieSession } from './refresh-cookie';

const SESSION_HEADER_DOC = { name: 'X-Cadre-Session', required: false, description: '`cookie`: keep the refresh token in an httpOnly SameSite=Strict cookie (the console); the body then omits it' };

@ApiTags('identity')
@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/token')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this account or from this address (Retry-After)' })
  @ApiHeader(SESSION_HEADER_DOC)
  async token(@Body() body: TokenRequestDto, @Ip() address: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponseDto | Omit<TokenResponseDto, 'refreshToken'>> {
    try {
      const pair = await this.auth.login(body.email, body.password, address ?? 'unknown');
      return wantsCookieSession(req) ? withCookie(req, res, pair) : pair;
    } catch (err) {
      if (err instanceof TooManyLoginFailures) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      throw err;
    }
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiHeader(SESSION_HEADER_DOC)
  async refresh(@Body() body: RefreshRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponseDto | Omit<TokenResponseDto, 'refreshToken'>> {
    if (body.refreshToken !== undefined) return this.auth.refresh(body.refreshToken);
    if (!wantsCookieSession(req)) throw new InvalidInput('refreshToken is required', [{ field: 'refreshToken', message: 'refreshToken must be a string' }]);
    assertSameOrigin(req);
    return withCookie(req, res, await this.auth.refresh(readRefreshCookie(req)));
  }

  @ApiBearerAuth()
  @AllowedOutOfStanding()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiHeader(SESSION_HEADER_DOC)
  async logout(
    @CurrentActor() actor: Actor,
    @CurrentSession() session: string | undefined,
    @Body() body: LogoutRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    if (body.refreshToken !== undefined) return this.auth.logout(actor, body.refreshToken, session);
    if (!wantsCookieSession(req)) throw new InvalidInput('refreshToken is required', [{ field: 'refreshToken', message: 'refreshToken must be a string' }]);
    assertSameOrigin(req);
    const token = (() => {
      try {
        return readRefreshCookie(req);
      } catch {
        return undefined;
      }
    })();
    if (token) await this.auth.logout(actor, token, session);
    clearRefreshCookie(req, res);
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

/** The console's session: the refresh token goes into the cookie, not the body. */
function withCookie(req: Request, res: Response, pair: TokenResponseDto): Omit<TokenResponseDto, 'refreshToken'> {
  setRefreshCookie(req, res, pair.refreshToken);
  const { refreshToken: _spent, ...rest } = pair;
  void _spent;
  return rest;
}

function toMeResponse(a: Actor): MeResponseDto {
  return { id: a.id, email: a.email, displayName: a.displayName, organisationId: a.organisationId, roles: a.roles, platformRoles: a.platformRoles };
}
