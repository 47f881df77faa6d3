import type { RowError } from '../ingestion/row-validator';
import type { Upload, UploadStatus } from './upload.entity';

/** An upload as its data steward sees it: counts and rules broken, never a value. */
export interface UploadView {
  id: string;
  datasetId: string;
  status: UploadStatus;
  rowsAccepted: number;
  errors: RowError[];
  errorCount: number;
  versionId: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function toUploadView(u: Upload): UploadView {
  return {
    id: u.id,
    datasetId: u.datasetId,
    status: u.status,
    rowsAccepted: u.rowsAccepted,
    errors: u.errors,
    errorCount: u.errorCount,
    versionId: u.versionId,
    createdAt: u.createdAt,
    finishedAt: u.finishedAt,
  };
}
