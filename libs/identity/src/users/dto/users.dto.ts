import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ORG_ROLES, OrgRole, PLATFORM_ROLES, PlatformRole } from '../../actor';

export class CreateUserDto {
  @ApiProperty({ example: 'steward@chu.example' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 12, format: 'password' })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ enum: ORG_ROLES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(ORG_ROLES, { each: true })
  roles: OrgRole[];
}

export class SetPlatformRolesDto {
  @ApiProperty({ enum: PLATFORM_ROLES, isArray: true, example: ['ethics_committee'] })
  @IsArray()
  @ArrayUnique()
  @IsIn(PLATFORM_ROLES, { each: true })
  platformRoles: PlatformRole[];
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ORG_ROLES, isArray: true, description: 'replaces the organisation roles' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ORG_ROLES, { each: true })
  roles?: OrgRole[];

  @ApiPropertyOptional({ description: 'false deactivates the user (no login; every session ends at once); true reactivates' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ORG_ROLES, isArray: true }) roles: OrgRole[];
  @ApiProperty({ enum: PLATFORM_ROLES, isArray: true }) platformRoles: PlatformRole[];
  @ApiProperty({ description: 'false once deactivated' }) active: boolean;
  @ApiProperty() createdAt: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] }) items: UserResponseDto[];
  @ApiProperty() total: number;
}
