import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COLUMN_ROLES, COLUMN_TYPES, DATASET_LEVELS } from '../catalogue/column-schema';
import type { ColumnDescriptor, ColumnRole, ColumnType, DatasetKind, DatasetLevel } from '../catalogue/column-schema';
import type { DatasetView } from '../catalogue/dataset-descriptor';

export class ColumnResponse {
  @ApiProperty() name: string;
  @ApiProperty({ enum: COLUMN_TYPES }) type: ColumnType;
  @ApiProperty({ enum: COLUMN_ROLES }) role: ColumnRole;
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional({ type: [String] }) categories?: string[];
}

/** Catalogue metadata only: never a value from the data. */
export class DatasetResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ['person', 'reference'] }) kind: DatasetKind;
  @ApiProperty({ enum: DATASET_LEVELS, description: 'person: one row per person, checked at ingestion; transaction: any number' }) level: DatasetLevel;
  @ApiProperty({ type: [ColumnResponse] }) columns: ColumnResponse[];
  @ApiProperty({ description: 'Rows of the current version, rounded to the nearest 10' }) rowCount: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Number of the current version (1, 2, …); null before the first successful upload' })
  currentVersion: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) currentVersionId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DatasetPageResponse {
  @ApiProperty({ type: [DatasetResponse] }) items: DatasetResponse[];
  @ApiProperty() total: number;
}

function toColumnResponse(c: ColumnDescriptor): ColumnResponse {
  return {
    name: c.name,
    type: c.type,
    role: c.role,
    ...(c.min !== undefined ? { min: c.min } : {}),
    ...(c.max !== undefined ? { max: c.max } : {}),
    ...(c.categories !== undefined ? { categories: [...c.categories] } : {}),
  };
}

export function toDatasetResponse(d: DatasetView): DatasetResponse {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    organisationId: d.organisationId,
    kind: d.kind,
    level: d.level,
    columns: d.columns.map(toColumnResponse),
    rowCount: d.rowCount,
    currentVersion: d.currentVersion,
    currentVersionId: d.currentVersionId,
    createdAt: d.createdAt.toISOString(),
  };
}
