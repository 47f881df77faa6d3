import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CheckPolicies, CurrentAbility, type AppAbility } from '@cadre/access';
import { AuditCheckpointService } from '../checkpoints/audit-checkpoint.service';
import { AuditReader } from './audit-reader.service';
import { AuditEventsQueryDto } from './dto/audit-events-query.dto';
import { AuditEventsPageResponse, AuditVerificationResponse, toAuditEventResponse, toAuditVerificationResponse } from './dto/audit-responses.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly reader: AuditReader,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  @Get('events')
  @CheckPolicies((ability) => ability.can('read', 'AuditEvent'))
  @ApiOkResponse({ type: AuditEventsPageResponse })
  async events(@Query() query: AuditEventsQueryDto, @CurrentAbility() ability: AppAbility): Promise<AuditEventsPageResponse> {
    const page = await this.reader.list(ability, query);
    return { items: page.items.map(toAuditEventResponse), total: page.total };
  }

  @Get('verification')
  @CheckPolicies((ability) => ability.can('read', 'AuditChain'))
  @ApiOkResponse({ type: AuditVerificationResponse })
  async verification(): Promise<AuditVerificationResponse> {
    return toAuditVerificationResponse(await this.checkpoints.verify());
  }
}
