import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { COLUMN_NAME_PATTERN, COLUMN_ROLES, COLUMN_TYPES, DATASET_LEVELS } from '../catalogue/column-schema';
import type { ColumnRole, ColumnType, DatasetLevel } from '../catalogue/column-schema';

export class ColumnDto {
  @ApiProperty({ pattern: COLUMN_NAME_PATTERN.source, example: 'icuDays', description: 'A safe identifier: the vault column is named after it' })
  @IsString()
  @Matches(COLUMN_NAME_PATTERN, { message: 'name must start with a lower-case letter and hold only letters, digits and _ (63 at most)' })
  name: string;

  @ApiProperty({ enum: COLUMN_TYPES })
  @IsIn(COLUMN_TYPES)
  type: ColumnType;

  @ApiProperty({ enum: COLUMN_ROLES, description: 'linkage_key: pseudonymised at ingestion, never output; reference_key: a public join code' })
  @IsIn(COLUMN_ROLES)
  role: ColumnRole;

  @ApiPropertyOptional({ description: 'Lower bound (numeric non-key columns: required, with max)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number;

  @ApiPropertyOptional({ description: 'Upper bound (numeric non-key columns: required, greater than min)' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  max?: number;

  @ApiPropertyOptional({ type: [String], description: 'The public domain of a category column (non-empty, distinct)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10000)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  categories?: string[];
}

export class CreateDatasetDto {
  @ApiProperty({ example: 'hospital_stays' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'ICU stays of 2020–2021' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({
    enum: DATASET_LEVELS,
    default: 'transaction',
    description: 'person: one row per person (a repeated linkage key refuses the upload); transaction: any number of rows per person',
  })
  @IsOptional()
  @IsIn(DATASET_LEVELS)
  level?: DatasetLevel;

  @ApiProperty({ type: [ColumnDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ColumnDto)
  columns: ColumnDto[];
}
