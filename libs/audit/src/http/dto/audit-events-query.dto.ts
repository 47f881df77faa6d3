import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '@cadre/common';

/** `GET /api/v1/audit/events?subjectType=&subjectId=&limit=&offset=` */
export class AuditEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'UseCase' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectType?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  subjectId?: string;
}
