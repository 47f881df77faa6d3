import { ApiProperty } from '@nestjs/swagger';
import type { UploadStatus } from '../uploads/upload.entity';
import type { UploadView } from '../uploads/upload-view';

const UPLOAD_STATUSES = ['queued', 'running', 'succeeded', 'failed'];

export class UploadAcceptedResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: UPLOAD_STATUSES, description: 'The final status: the file is ingested while it streams' }) status: UploadStatus;
}

export class UploadErrorResponse {
  @ApiProperty({ description: "The file's line number (the header is line 1; 0: the file as a whole)" }) line: number;
  @ApiProperty({ type: String, nullable: true }) column: string | null;
  @ApiProperty({ description: 'The rule broken; never the offending value' }) message: string;
}

export class UploadResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) datasetId: string;
  @ApiProperty({ enum: UPLOAD_STATUSES }) status: UploadStatus;
  @ApiProperty() rowsAccepted: number;
  @ApiProperty({ type: [UploadErrorResponse], description: 'The first 100 errors' }) errors: UploadErrorResponse[];
  @ApiProperty({ description: 'Every error found' }) errorCount: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}

export function toUploadAcceptedResponse(u: UploadView): UploadAcceptedResponse {
  return { id: u.id, status: u.status };
}

export function toUploadResponse(u: UploadView): UploadResponse {
  return {
    id: u.id,
    datasetId: u.datasetId,
    status: u.status,
    rowsAccepted: u.rowsAccepted,
    errors: u.errors.map((e) => ({ line: e.line, column: e.column, message: e.message })),
    errorCount: u.errorCount,
    createdAt: u.createdAt.toISOString(),
    finishedAt: u.finishedAt ? u.finishedAt.toISOString() : null,
  };
}
