import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { IdentityModule } from '@cadre/identity';
import { DatasetsController } from './datasets.controller';
import { DatasetsModule } from './datasets.module';
import { DatasetVersionsController } from './quality/versions.controller';

/** The catalogue and upload routes (the API only; the worker imports DatasetsModule alone). */
@Module({
  imports: [DatasetsModule, AccessModule, IdentityModule],
  controllers: [DatasetsController, DatasetVersionsController],
})
export class DatasetsHttpModule {}
