import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty({ example: 'researcher@chu.example' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

export class RefreshRequestDto {
  @ApiPropertyOptional({ description: 'The opaque refresh token of the last answer (it works once). Omitted by the console, whose token is in its session cookie (header `X-Cadre-Session: cookie`).' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken?: string;
}

/** Logout takes the same body as refresh. */
export class LogoutRequestDto extends RefreshRequestDto {}

export class TokenResponseDto {
  @ApiProperty({ description: 'JWT signed by the platform key (see /.well-known/jwks.json).' }) accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Lifetime of the access token in seconds.', example: 900 }) expiresIn: number;
}

export class MeResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ['org_admin', 'data_steward', 'researcher'], isArray: true }) roles: string[];
  @ApiProperty({ enum: ['platform_admin', 'ethics_committee'], isArray: true }) platformRoles: string[];
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' }) @IsString() @MinLength(1) @MaxLength(1024) currentPassword: string;
  @ApiProperty({ format: 'password', minLength: 12 }) @IsString() @MinLength(12) @MaxLength(1024) newPassword: string;
}
