import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InvalidInput } from '@cadre/common';
import { Public } from '@cadre/identity';
import { perturbationTable, PLATFORM_PERTURBATION, ptableParamsProblem } from './disclosure/ptable';
import { PLATFORM_MIN_CELL_SIZE } from './policy/policy';

class DeviationResponse {
  @ApiProperty() deviation: number;
  @ApiProperty() probability: number;
}
class CountRowResponse {
  @ApiProperty() count: number;
  @ApiProperty({ type: [DeviationResponse] }) deviations: DeviationResponse[];
}
export class PerturbationTableResponse {
  @ApiProperty({ enum: ['cell_key'] }) method: 'cell_key';
  @ApiProperty() maxDeviation: number;
  @ApiProperty() variance: number;
  @ApiProperty() minCellSize: number;
  @ApiProperty({ type: [CountRowResponse], description: 'counts 0..N; the last entry applies to every larger count' }) counts: CountRowResponse[];
}

/** A query parameter as a number, or a 400 naming it. */
function numberParam(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(value)) throw new InvalidInput(`Invalid input: ${name}`, [{ field: name, message: 'must be a number' }]);
  return value;
}

/** The published perturbation table of the cell key method (API.md rule 3): public, like the register. */
@ApiTags('register')
@Controller('api/v1/register')
export class PerturbationTableController {
  @Public()
  @Get('perturbation-table')
  @ApiOperation({ summary: 'The p-table mapping (cell key, count) to a deviation; parameters default to the platform’s' })
  @ApiOkResponse({ type: PerturbationTableResponse })
  table(@Query('maxDeviation') d?: string, @Query('variance') v?: string, @Query('minCellSize') m?: string): PerturbationTableResponse {
    const params = {
      maxDeviation: numberParam(d, 'maxDeviation', PLATFORM_PERTURBATION.maxDeviation),
      variance: numberParam(v, 'variance', PLATFORM_PERTURBATION.variance),
      minCellSize: numberParam(m, 'minCellSize', PLATFORM_MIN_CELL_SIZE),
    };
    const problem = ptableParamsProblem(params);
    if (problem) throw new InvalidInput(`Invalid input: ${problem}`, [{ field: 'query', message: problem }]);
    const t = perturbationTable(params);
    return { method: t.method, maxDeviation: t.maxDeviation, variance: t.variance, minCellSize: t.minCellSize, counts: t.counts };
  }
}
