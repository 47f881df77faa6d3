import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ThrottlerGuard } from '@nestjs/throttler';
import { InvalidInput } from '@cadre/common';
import type { Actor } from '../actor';
import { CurrentActor, Public } from '../decorators';
import { AuthService } from './auth.service';
import { LogoutRequestDto, MeResponseDto, RefreshRequestDto, TokenRequestDto, TokenResponseDto } from './dto/auth.dto';
import { assertSameOrigin, clearRefreshCookie, readRefreshCookie, setRefreshCookie, wantsCookieSession } from './refresh-cookie';

const SESSION_HEADER_DOC = { name: 'X-Cadre-Session', required: false, description: '`cookie`: keep the refresh token in an httpOnly SameSite=Strict cookie (the console); the body then omits it' };

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
  @ApiHeader(SESSION_HEADER_DOC)
  async token(@Body() body: TokenRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponseDto | Omit<TokenResponseDto, 'refreshToken'>> {
    const pair = await this.auth.login(body.email, body.password);
    return wantsCookieSession(req) ? withCookie(req, res, pair) : pair;
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
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiHeader(SESSION_HEADER_DOC)
  async logout(@CurrentActor() actor: Actor, @Body() body: LogoutRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (body.refreshToken !== undefined) return this.auth.logout(actor, body.refreshToken);
    if (!wantsCookieSession(req)) throw new InvalidInput('refreshToken is required', [{ field: 'refreshToken', message: 'refreshToken must be a string' }]);
    assertSameOrigin(req);
    const token = (() => {
      try {
        return readRefreshCookie(req);
      } catch {
        return undefined;
      }
    })();
    if (token) await this.auth.logout(actor, token);
    clearRefreshCookie(req, res);
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
