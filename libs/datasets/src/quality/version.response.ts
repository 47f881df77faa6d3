import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { VersionView } from './versions.service';

export class ColumnCompletenessResponse {
  @ApiProperty() column: string;
  @ApiProperty({ minimum: 0, maximum: 100, description: 'Share of non-empty cells, a whole percentage' }) nonNullPercent: number;
}

/** One version of a dataset: metadata and aggregates only, never a value. */
export class DatasetVersionResponse {
  @ApiProperty({ description: 'Version number (1, 2, …)' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Rows of the version, rounded to the nearest 10' }) rowCount: number;
  @ApiProperty({ description: 'Whether this is the current version' }) current: boolean;
  @ApiPropertyOptional({ type: [ColumnCompletenessResponse], description: 'Per column; absent until the worker has measured the version' })
  completeness?: ColumnCompletenessResponse[];
}

export class DatasetVersionPageResponse {
  @ApiProperty({ type: [DatasetVersionResponse] }) items: DatasetVersionResponse[];
  @ApiProperty() total: number;
}

export function toDatasetVersionResponse(v: VersionView): DatasetVersionResponse {
  return {
    version: v.version,
    createdAt: v.createdAt.toISOString(),
    rowCount: v.rowCount,
    current: v.current,
    ...(v.completeness ? { completeness: v.completeness.map((c) => ({ column: c.column, nonNullPercent: c.nonNullPercent })) } : {}),
  };
}
