import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CheckPolicies, CurrentAbility, type AppAbility } from '@cadre/access';
import { ListQueryDto } from '@cadre/common';
import { CurrentActor } from '@cadre/identity';
import type { Actor } from '@cadre/identity';
import { DatasetsService } from './catalogue/datasets.service';
import { CreateDatasetDto } from './dto/create-dataset.dto';
import { DatasetPageResponse, DatasetResponse, toDatasetResponse } from './dto/dataset.response';
import { toUploadAcceptedResponse, toUploadResponse, UploadAcceptedResponse, UploadResponse } from './dto/upload.response';
import { UploadsService } from './uploads/uploads.service';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('api/v1/datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly uploads: UploadsService,
  ) {}

  @Post()
  @CheckPolicies((ability) => ability.can('create', 'Dataset'))
  @ApiOperation({ summary: "Declare a dataset of the steward's organisation: columns with roles, bounds and categories" })
  @ApiCreatedResponse({ type: DatasetResponse })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateDatasetDto): Promise<DatasetResponse> {
    return toDatasetResponse(await this.datasets.create(actor, body));
  }

  @Get()
  @ApiOperation({ summary: 'The catalogue (metadata only, row counts rounded to 10)' })
  @ApiOkResponse({ type: DatasetPageResponse })
  async list(@Query() query: ListQueryDto): Promise<DatasetPageResponse> {
    const page = await this.datasets.list(query);
    return { items: page.items.map(toDatasetResponse), total: page.total };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One catalogue entry (metadata only)' })
  @ApiOkResponse({ type: DatasetResponse })
  async get(@Param('id', uuid) id: string): Promise<DatasetResponse> {
    return toDatasetResponse(await this.datasets.findById(id));
  }

  @Post(':id/uploads')
  @HttpCode(202)
  @CheckPolicies((ability) => ability.can('upload', 'Dataset'))
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'CSV with a header row naming exactly the declared columns' })
  @ApiOperation({ summary: 'Upload a new version (data steward of the owner): streamed, validated, pseudonymised, loaded all or nothing' })
  @ApiAcceptedResponse({ type: UploadAcceptedResponse, description: 'The final status once the stream is ingested' })
  async upload(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Req() req: Request): Promise<UploadAcceptedResponse> {
    // The body is never parsed into memory: the request stream itself is ingested.
    if (!req.is('text/csv')) throw new UnsupportedMediaTypeException('The body must be text/csv');
    return toUploadAcceptedResponse(await this.uploads.upload(actor, id, req));
  }

  @Get(':id/uploads/:uploadId')
  // Whoever may not read it gets 404, exactly like an unknown id: a 403 would confirm the upload exists.
  @CheckPolicies(() => true)
  @ApiOperation({ summary: 'Status and errors of an upload (data steward of the owner; 404 for anyone else)' })
  @ApiOkResponse({ type: UploadResponse })
  async getUpload(
    @CurrentActor() actor: Actor,
    @CurrentAbility() ability: AppAbility,
    @Param('id', uuid) id: string,
    @Param('uploadId', uuid) uploadId: string,
  ): Promise<UploadResponse> {
    return toUploadResponse(await this.uploads.findById(actor, ability, id, uploadId));
  }
}
