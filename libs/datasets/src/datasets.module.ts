import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@cadre/audit';
import { JobsModule } from '@cadre/jobs';
import { MembersModule } from '@cadre/members';
import { DatasetVersion } from './catalogue/dataset-version.entity';
import { Dataset } from './catalogue/dataset.entity';
import { DatasetsService } from './catalogue/datasets.service';
import { IngestionService } from './ingestion/ingestion.service';
import { RowWorkerPool } from './ingestion/row-worker-pool';
import { VersionsService } from './quality/versions.service';
import { Upload } from './uploads/upload.entity';
import { UploadsService } from './uploads/uploads.service';

/** The data plane: the catalogue, uploads and their streaming ingestion into the vault. */
@Module({
  imports: [TypeOrmModule.forFeature([Dataset, DatasetVersion, Upload]), AuditModule, MembersModule, JobsModule],
  providers: [DatasetsService, UploadsService, IngestionService, RowWorkerPool, VersionsService],
  exports: [DatasetsService, UploadsService, IngestionService, VersionsService],
})
export class DatasetsModule {}
