import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { ListQueryDto } from '@cadre/common';
import { Public } from '@cadre/identity';
import { ConditionsDto } from './dto/decision.dto';
import { ContractDisclosure, RegisterEntry, RegisterService, registerToCsv } from './register.service';

export class RegisterQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

export class RegisterEntryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() purpose: string;
  @ApiProperty({ type: [String], description: 'the requesting organisation, then the providers' }) organisations: string[];
  @ApiProperty({ nullable: true, type: String }) decisionDate: string | null;
  @ApiProperty({ type: ConditionsDto }) conditions: ConditionsDto;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: "each provider's current contract's disclosure terms (minCellSize, dominance, rounding, privacy incl. maxCellsPerPerson, perturbation); computations run under the strictest of these, the conditions and the platform's",
  })
  disclosure: ContractDisclosure[];
}

export class RegisterPage {
  @ApiProperty({ type: [RegisterEntryResponse] }) items: RegisterEntryResponse[];
  @ApiProperty() total: number;
}

const toRegisterEntryResponse = (e: RegisterEntry): RegisterEntryResponse => ({
  id: e.id,
  title: e.title,
  purpose: e.purpose,
  organisations: e.organisations,
  decisionDate: e.decisionDate,
  conditions: e.conditions,
  disclosure: e.disclosure,
});

@ApiTags('register')
@Controller('api/v1/register')
export class UseCaseRegisterController {
  constructor(private readonly register: RegisterService) {}

  /** The public register of approved, active and closed use cases; `?format=csv` for open data. */
  @Public()
  @Get('use-cases')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: RegisterPage })
  async list(@Query() query: RegisterQueryDto, @Res({ passthrough: true }) res: Response): Promise<RegisterPage | string> {
    const page = await this.register.list(query.limit, query.offset);
    if (query.format === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', 'inline; filename="use-cases.csv"');
      return registerToCsv(page.items);
    }
    return { items: page.items.map(toRegisterEntryResponse), total: page.total };
  }
}
