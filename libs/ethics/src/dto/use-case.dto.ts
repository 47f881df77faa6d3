import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
  IsObject,
} from 'class-validator';
import { ListQueryDto } from '@cadre/common';
import { USE_CASE_STATUSES, UseCaseStatus } from '../use-case-status';
import type { UseCaseView } from '../use-case.store';
import type { UseCaseInput } from '../use-cases.service';
import { ConditionsDto, DecisionResponse, toDecisionResponse } from './decision.dto';

export class RequestedDatasetDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() datasetId: string;

  @ApiProperty({ type: [String], description: 'columns of the dataset; never a linkage_key' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  columns: string[];
}

export class CreateUseCaseDto {
  @ApiProperty({ example: 'COVID risk by IRIS zone' }) @IsString() @IsNotEmpty() @MaxLength(300) title: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(10000) purpose: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(10000) publicInterest: string;

  @ApiProperty({ type: [RequestedDatasetDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RequestedDatasetDto)
  requestedDatasets: RequestedDatasetDto[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'researchers of adhering member organisations' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  teamUserIds: string[];

  @ApiProperty({ format: 'date-time' }) @IsDateString({ strict: true }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) @IsDateString({ strict: true }) endsAt: string;
}

/** PATCH and amendments: any part of the request. */
export class UpdateUseCaseDto extends PartialType(CreateUseCaseDto) {}

export class AmendUseCaseDto {
  @ApiProperty({ type: UpdateUseCaseDto, description: 'a partial use case, as for PATCH' })
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateUseCaseDto)
  changes: UpdateUseCaseDto;

  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(10000) reason: string;
}

export class ListUseCasesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: USE_CASE_STATUSES }) @IsOptional() @IsIn(USE_CASE_STATUSES) status?: UseCaseStatus;
}

export class UseCaseResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: USE_CASE_STATUSES }) status: UseCaseStatus;
  @ApiProperty() title: string;
  @ApiProperty() purpose: string;
  @ApiProperty() publicInterest: string;
  @ApiProperty({ format: 'uuid' }) requesterOrganisationId: string;
  @ApiProperty({ type: [String] }) providerOrganisationIds: string[];
  @ApiProperty({ type: [RequestedDatasetDto] }) requestedDatasets: RequestedDatasetDto[];
  @ApiProperty({ type: [String] }) teamUserIds: string[];
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty({ description: '0 before the first submission' }) reviewRound: number;
  @ApiProperty({ nullable: true, type: String }) submittedAt: string | null;
  @ApiProperty({ type: ConditionsDto, description: 'conditions of the latest approval' }) conditions: ConditionsDto;
  @ApiPropertyOptional({ type: DecisionResponse, description: 'the latest signed decision' }) decision?: DecisionResponse;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class UseCasePage {
  @ApiProperty({ type: [UseCaseResponse] }) items: UseCaseResponse[];
  @ApiProperty() total: number;
}

export function toUseCaseInput(dto: Partial<CreateUseCaseDto>): Partial<UseCaseInput> {
  return {
    title: dto.title,
    purpose: dto.purpose,
    publicInterest: dto.publicInterest,
    requestedDatasets: dto.requestedDatasets?.map((d) => ({ datasetId: d.datasetId, columns: [...d.columns] })),
    teamUserIds: dto.teamUserIds ? [...dto.teamUserIds] : undefined,
    startsAt: dto.startsAt !== undefined ? new Date(dto.startsAt) : undefined,
    endsAt: dto.endsAt !== undefined ? new Date(dto.endsAt) : undefined,
  };
}

export function toUseCaseResponse(u: UseCaseView): UseCaseResponse {
  return {
    id: u.id,
    status: u.status,
    title: u.title,
    purpose: u.purpose,
    publicInterest: u.publicInterest,
    requesterOrganisationId: u.requesterOrganisationId,
    providerOrganisationIds: u.providerOrganisationIds,
    requestedDatasets: u.requestedDatasets,
    teamUserIds: u.teamUserIds,
    startsAt: u.startsAt.toISOString(),
    endsAt: u.endsAt.toISOString(),
    reviewRound: u.reviewRound,
    submittedAt: u.submittedAt?.toISOString() ?? null,
    conditions: u.conditions,
    ...(u.decision ? { decision: toDecisionResponse(u.decision) } : {}),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
