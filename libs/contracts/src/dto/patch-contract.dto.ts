import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PRIVACY_MECHANISMS, RELEASE_MODES } from '../contract-terms';
import { IsColumnSets } from '../terms-schema';
import type { PrivacyMechanism, ReleaseMode } from '../contract-terms';

export class ContractDatasetDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() datasetId: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(200, { each: true }) columns: string[];
}

export class DominancePatchDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'Number of largest contributors; a higher n is stricter' })
  @IsOptional() @IsInt() @Min(1) @Max(100) n?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'Percentage of the total; a lower k is stricter' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(100) k?: number;
}

export class PrivacyPatchDto {
  @ApiPropertyOptional({ enum: PRIVACY_MECHANISMS }) @IsOptional() @IsIn(PRIVACY_MECHANISMS) mechanism?: PrivacyMechanism;
  @ApiPropertyOptional({ minimum: 0, maximum: 100 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100) epsilonTotal?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 0.1 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(0.1) delta?: number;
  @ApiPropertyOptional({ minimum: 1, description: 'Cells one person may contribute to; a smaller bound is stricter' })
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxCellsPerPerson?: number;
}

export class PerturbationPatchDto {
  @ApiPropertyOptional({ minimum: 2, maximum: 20, description: 'Maximum deviation of the cell key method; larger is stricter' })
  @IsOptional() @IsInt() @Min(2) @Max(20) maxDeviation?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 399, description: 'Variance of the p-table; larger is stricter (below maxDeviation²)' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(399) variance?: number;
}

export class DisclosurePatchDto {
  @ApiPropertyOptional({ minimum: 1 }) @IsOptional() @IsInt() @Min(1) @Max(1_000_000) minCellSize?: number;
  @ApiPropertyOptional({ type: DominancePatchDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => DominancePatchDto) dominance?: DominancePatchDto;
  @ApiPropertyOptional({ minimum: 0, description: 'Counts and sums rounded to a multiple of it (0: none)' })
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) rounding?: number;
  @ApiPropertyOptional({ type: PrivacyPatchDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PrivacyPatchDto) privacy?: PrivacyPatchDto;
  @ApiPropertyOptional({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'column sets that may not be grouped on; sets may only be added' })
  @IsOptional() @IsColumnSets() forbiddenGroupBy?: string[][];
  @ApiPropertyOptional({ type: PerturbationPatchDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PerturbationPatchDto) perturbation?: PerturbationPatchDto;
}

/** A partial terms object: only the keys sent change; nested objects merge key by key, arrays are replaced. */
export class TermsPatchDto {
  @ApiPropertyOptional({ type: [ContractDatasetDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => ContractDatasetDto) datasets?: ContractDatasetDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10_000) purpose?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid' }) @IsOptional() @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) researchers?: string[];
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true }) validFrom?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true }) validUntil?: string;
  @ApiPropertyOptional({ type: DisclosurePatchDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => DisclosurePatchDto) disclosure?: DisclosurePatchDto;
  @ApiPropertyOptional({ minimum: 0 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) maxComputations?: number;
  @ApiPropertyOptional({ enum: RELEASE_MODES }) @IsOptional() @IsIn(RELEASE_MODES) releaseMode?: ReleaseMode;
}

export class PatchContractDto {
  @ApiProperty({ type: TermsPatchDto, description: 'Merged into the current terms; stricter only, else 422 terms_not_stricter' })
  @IsObject()
  @ValidateNested()
  @Type(() => TermsPatchDto)
  terms: TermsPatchDto;
}
