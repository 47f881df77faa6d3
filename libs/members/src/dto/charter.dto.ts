import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { CharterView } from '../charters.service';
import type { AdherenceView } from '../adherences.service';

export class CharterPrincipleDto {
  @ApiProperty({ example: 'P1' }) @IsString() @Matches(/^[\w.-]{1,32}$/) code: string;
  @ApiProperty({ example: 'Public interest' }) @IsString() @IsNotEmpty() @MaxLength(200) title: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(10000) text: string;
}

export class CreateCharterDto {
  @ApiProperty({ example: '2.0' }) @IsString() @Matches(/^[\w.-]{1,32}$/) version: string;
  @ApiProperty({ example: 'Charte éthique Cadre' }) @IsString() @IsNotEmpty() @MaxLength(200) title: string;

  @ApiProperty({ type: [CharterPrincipleDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CharterPrincipleDto)
  principles: CharterPrincipleDto[];
}

export class AdhereDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() charterId: string;
}

export class CharterResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() version: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: [CharterPrincipleDto] }) principles: CharterPrincipleDto[];
  @ApiProperty({ enum: ['draft', 'current', 'superseded'] }) status: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) publishedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) supersededAt: string | null;
}

export class CharterPage {
  @ApiProperty({ type: [CharterResponse] }) items: CharterResponse[];
  @ApiProperty() total: number;
}

export class AdherenceResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ format: 'uuid' }) charterId: string;
  @ApiProperty() charterVersion: string;
  @ApiProperty({ format: 'uuid', description: 'the org_admin who signed' }) signedBy: string;
  @ApiProperty() signedAt: string;
  @ApiProperty({ description: 'compact JWS by the platform over the canonical JSON of the adherence record; verify with /.well-known/jwks.json' })
  signature: string;
}

export function toCharterResponse(c: CharterView): CharterResponse {
  return {
    id: c.id,
    version: c.version,
    title: c.title,
    principles: c.principles,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    publishedAt: c.publishedAt?.toISOString() ?? null,
    supersededAt: c.supersededAt?.toISOString() ?? null,
  };
}

export function toAdherenceResponse(a: AdherenceView): AdherenceResponse {
  return { ...a };
}
