import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { COLLEGES, College, OrganisationStatus } from '../organisation.entity';
import type { OrganisationView } from '../organisations.service';

export class CreateOrganisationDto {
  @ApiProperty({ example: 'CHU de Montpellier' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: COLLEGES })
  @IsIn(COLLEGES)
  college: College;

  @ApiPropertyOptional({ description: 'French company register number (9 digits)', example: '263400140' })
  @IsOptional()
  @Matches(/^\d{9}$/, { message: 'siren must be 9 digits' })
  siren?: string;
}

export class UpdateOrganisationDto {
  @ApiProperty({ enum: ['active', 'suspended'] })
  @IsIn(['active', 'suspended'])
  status: OrganisationStatus;
}

export class OrganisationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: [...COLLEGES, 'operator'] }) college: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: OrganisationStatus;
  @ApiProperty() adheresToCurrentCharter: boolean;
  @ApiProperty({ nullable: true, type: String }) siren: string | null;
  @ApiProperty() isOperator: boolean;
  @ApiProperty() createdAt: string;
}

export class OrganisationPage {
  @ApiProperty({ type: [OrganisationResponse] }) items: OrganisationResponse[];
  @ApiProperty() total: number;
}

export function toOrganisationResponse(o: OrganisationView): OrganisationResponse {
  return {
    id: o.id,
    name: o.name,
    college: o.college,
    status: o.status,
    adheresToCurrentCharter: o.adheresToCurrentCharter,
    siren: o.siren,
    isOperator: o.isOperator,
    createdAt: o.createdAt.toISOString(),
  };
}
