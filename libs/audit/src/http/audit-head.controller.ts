import { Controller, Get, SetMetadata } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { NotFound } from '@cadre/common';
import { AppConfig } from '@cadre/config';
import { AuditCheckpointService } from '../checkpoints/audit-checkpoint.service';

/** The key of @cadre/identity's @Public() (audit must not import identity: identity writes audit events). */
const IS_PUBLIC = 'cadre:isPublic';

export class AuditHeadResponse {
  @ApiProperty({ description: 'sequence number of the newest event covered' }) seq: number;
  @ApiProperty({ description: 'hash of that event (HMAC-SHA-256 chain)' }) headHash: string;
  @ApiProperty({ description: 'when the checkpoint was signed' }) at: string;
  @ApiProperty({ description: 'compact JWS of {type: "cadre.audit.checkpoint", seq, headHash, at}; verify with /.well-known/jwks.json' }) signature: string;
}

/** The public, signed head of the audit chain: keep a copy, and a later truncation is provable. */
@ApiTags('register')
@Controller('api/v1/register')
export class AuditHeadController {
  constructor(
    private readonly checkpoints: AuditCheckpointService,
    private readonly config: AppConfig,
  ) {}

  @Get('audit-head')
  @SetMetadata(IS_PUBLIC, true)
  @ApiOkResponse({ type: AuditHeadResponse })
  async head(): Promise<AuditHeadResponse> {
    const latest = await this.checkpoints.publishHead(this.config.auditHeadMaxAgeSeconds);
    if (!latest) throw new NotFound('Audit head');
    return { seq: latest.seq, headHash: latest.headHash, at: latest.at, signature: latest.jws };
  }
}
