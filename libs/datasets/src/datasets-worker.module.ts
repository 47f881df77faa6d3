import { Module } from '@nestjs/common';
import { AuditModule } from '@cadre/audit';
import { JobsModule } from '@cadre/jobs';
import { DatasetsModule } from './datasets.module';
import { MeasureVersionQualityHandler } from './quality/measure-quality.handler';
import { SweepUploadsHandler } from './uploads/sweep-uploads.handler';

/** The data plane's worker side: the periodic upload and orphan-table sweep, and version quality measurement. */
@Module({
  imports: [DatasetsModule, AuditModule, JobsModule],
  providers: [SweepUploadsHandler, MeasureVersionQualityHandler],
})
export class DatasetsWorkerModule {}
