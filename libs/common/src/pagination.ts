import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest `offset` a list accepts (400 beyond). */
export const MAX_OFFSET = 1_000_000;

/** `?limit=&offset=` of every list route. */
export class ListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;

  /** Bounded: `1e20` is an integer to JavaScript but overflows PostgreSQL's OFFSET (a 500 before). */
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset = 0;
}

/** The answer of every list route. */
export interface Page<T> {
  items: T[];
  total: number;
}
