import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListQueryDto } from '@cadre/common';
import { DatasetVersionPageResponse, toDatasetVersionResponse } from './version.response';
import { VersionsService } from './versions.service';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('api/v1/datasets')
export class DatasetVersionsController {
  constructor(private readonly versions: VersionsService) {}

  // The same readers as GET /datasets/{id}: catalogue metadata and aggregates only.
  @Get(':id/versions')
  @ApiOperation({ summary: 'Version history of a dataset, newest first: date, row count rounded to 10, completeness per column' })
  @ApiOkResponse({ type: DatasetVersionPageResponse })
  async list(@Param('id', uuid) id: string, @Query() query: ListQueryDto): Promise<DatasetVersionPageResponse> {
    const page = await this.versions.list(id, query);
    return { items: page.items.map(toDatasetVersionResponse), total: page.total };
  }
}
