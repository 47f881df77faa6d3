import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  Validate,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

/** A dataset alias: short, lower-case, never used in SQL (the compiler generates its own). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_]{0,15}$/;
/** `alias.column`; the column part follows the catalogue's column-name rule. */
export const COLUMN_REF_PATTERN = /^[a-z][a-z0-9_]{0,15}\.[a-z][a-zA-Z0-9_]{0,62}$/;
export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'between'] as const;
export const MEASURE_FNS = ['count', 'sum', 'mean', 'quantile', 'rate'] as const;
export const MECHANISMS = ['none', 'laplace', 'gaussian'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type MeasureFn = (typeof MEASURE_FNS)[number];
export type Mechanism = (typeof MECHANISMS)[number];
export type FilterScalar = string | number | boolean;

const MAX_TEXT_VALUE = 200;
const MAX_IN_VALUES = 100;
export const MAX_BINS = 51;

function isScalar(v: unknown): v is FilterScalar {
  if (typeof v === 'string') return v.length <= MAX_TEXT_VALUE;
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'boolean';
}

@ValidatorConstraint({ name: 'filterValue' })
class FilterValueShape implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const op = (args.object as { op?: string }).op;
    if (op === 'in') return Array.isArray(value) && value.length >= 1 && value.length <= MAX_IN_VALUES && value.every(isScalar);
    if (op === 'between') return Array.isArray(value) && value.length === 2 && value.every(isScalar);
    return isScalar(value);
  }
  defaultMessage(args: ValidationArguments): string {
    const op = (args.object as { op?: string }).op;
    if (op === 'in') return `value of "in" must be an array of 1 to ${MAX_IN_VALUES} strings, numbers or booleans`;
    if (op === 'between') return 'value of "between" must be an array of two bounds';
    return `value must be a string (at most ${MAX_TEXT_VALUE} characters), a finite number or a boolean`;
  }
}

/** A group-by item: `"alias.col"` or `{column: "alias.col", bins: [ascending numbers]}` and nothing else. */
export function isGroupByItem(item: unknown): item is string | { column: string; bins: number[] } {
  if (typeof item === 'string') return COLUMN_REF_PATTERN.test(item);
  if (!item || typeof item !== 'object' || Array.isArray(item)) return false;
  const keys = Object.keys(item);
  if (keys.length !== 2 || !keys.includes('column') || !keys.includes('bins')) return false;
  const { column, bins } = item as { column: unknown; bins: unknown };
  if (typeof column !== 'string' || !COLUMN_REF_PATTERN.test(column)) return false;
  if (!Array.isArray(bins) || bins.length < 2 || bins.length > MAX_BINS) return false;
  return bins.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > bins[i - 1]));
}

@ValidatorConstraint({ name: 'groupByItem' })
class GroupByItemShape implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every(isGroupByItem);
  }
  defaultMessage(): string {
    return `each groupBy item must be "alias.column" or {column, bins} with 2 to ${MAX_BINS} strictly ascending numbers`;
  }
}

/** A rate's numerator: `"count"` or `{sum: "alias.column"}` and nothing else. */
export function isRateOf(of: unknown): of is RateOf {
  if (of === 'count') return true;
  if (!of || typeof of !== 'object' || Array.isArray(of)) return false;
  const keys = Object.keys(of);
  return keys.length === 1 && keys[0] === 'sum' && typeof (of as { sum: unknown }).sum === 'string' && COLUMN_REF_PATTERN.test((of as { sum: string }).sum);
}
export type RateOf = 'count' | { sum: string };

@ValidatorConstraint({ name: 'measureShape' })
class MeasureShape implements ValidatorConstraintInterface {
  validate(_: unknown, args: ValidationArguments): boolean {
    const m = args.object as MeasureDto;
    const rateFields = m.of !== undefined || m.per !== undefined || m.scale !== undefined;
    if (m.fn === 'rate') return m.column === undefined && m.q === undefined && isRateOf(m.of) && typeof m.per === 'string' && COLUMN_REF_PATTERN.test(m.per);
    if (m.fn === 'mean' && m.of === undefined && m.scale === undefined && (m.per === 'row' || m.per === 'person')) return m.column !== undefined && m.q === undefined;
    if (rateFields) return false;
    if (m.fn === 'count') return m.column === undefined && m.q === undefined;
    if (m.fn === 'quantile') return m.column !== undefined && m.q !== undefined;
    return m.column !== undefined && m.q === undefined;
  }
  defaultMessage(): string {
    return 'count takes no column; sum and mean take a column (mean optionally per: "person" or "row"); quantile takes a column and q; rate takes of ("count" or {sum: column}), per and an optional scale';
  }
}

@ValidatorConstraint({ name: 'privacyShape' })
class PrivacyShape implements ValidatorConstraintInterface {
  validate(_: unknown, args: ValidationArguments): boolean {
    const p = args.object as PrivacyDto;
    if (p.mechanism === 'none') return p.epsilon === undefined && p.delta === undefined;
    if (p.mechanism === 'laplace') return p.epsilon !== undefined && p.delta === undefined;
    return p.epsilon !== undefined && p.delta !== undefined;
  }
  defaultMessage(): string {
    return 'none takes no epsilon or delta; laplace takes epsilon; gaussian takes epsilon and delta';
  }
}

export class QueryDatasetDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  datasetId: string;

  @ApiProperty({ pattern: ALIAS_PATTERN.source, example: 'h' })
  @IsString()
  @Matches(ALIAS_PATTERN)
  as: string;
}

export class FilterDto {
  @ApiProperty({ pattern: COLUMN_REF_PATTERN.source, example: 'h.age' })
  @IsString()
  @Matches(COLUMN_REF_PATTERN)
  column: string;

  @ApiProperty({ enum: FILTER_OPS })
  @IsIn(FILTER_OPS)
  op: FilterOp;

  @ApiProperty({
    description: 'a string, number or boolean; an array for "in"; a two-element array for "between" (bounds included)',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: {} }],
  })
  @Validate(FilterValueShape)
  value: FilterScalar | FilterScalar[];
}

export class BinnedGroupDto {
  @ApiProperty({ pattern: COLUMN_REF_PATTERN.source, example: 'h.age' })
  column: string;

  @ApiProperty({ type: [Number], example: [0, 18, 65, 120], description: 'strictly ascending edges; bins are half-open [a,b)' })
  bins: number[];
}

export class MeasureDto {
  @ApiProperty({ enum: MEASURE_FNS, description: 'count = distinct persons; quantile only under differential privacy' })
  @IsIn(MEASURE_FNS)
  @Validate(MeasureShape)
  fn: MeasureFn;

  @ApiPropertyOptional({ pattern: COLUMN_REF_PATTERN.source, example: 'h.icuDays' })
  @IsOptional()
  @IsString()
  @Matches(COLUMN_REF_PATTERN)
  column?: string;

  @ApiPropertyOptional({ minimum: 0.01, maximum: 0.99, example: 0.5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(0.99)
  q?: number;

  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: ['count'] }, { type: 'object', properties: { sum: { type: 'string' } } }], description: 'rate only: the numerator' })
  @IsOptional()
  of?: RateOf;

  @ApiPropertyOptional({ pattern: COLUMN_REF_PATTERN.source, example: 'ref.population', description: 'rate: a numeric column of a joined reference dataset; mean: "person" (default) or "row"' })
  @IsOptional()
  @IsString()
  per?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000000, default: 1, example: 1000, description: 'rate only: the multiplier' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(1_000_000)
  scale?: number;
}

export class JoinDto {
  @ApiProperty({ pattern: COLUMN_REF_PATTERN.source, example: 'h.iris', description: 'a column of a person-level dataset' })
  @IsString()
  @Matches(COLUMN_REF_PATTERN)
  left: string;

  @ApiProperty({ pattern: COLUMN_REF_PATTERN.source, example: 'ref.iris', description: "the reference dataset's reference_key" })
  @IsString()
  @Matches(COLUMN_REF_PATTERN)
  right: string;
}

export class PrivacyDto {
  @ApiProperty({ enum: MECHANISMS })
  @IsIn(MECHANISMS)
  @Validate(PrivacyShape)
  mechanism: Mechanism;

  @ApiPropertyOptional({ minimum: 0.001, maximum: 10 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(10)
  epsilon?: number;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: 0.001 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1e-12)
  @Max(1e-3)
  delta?: number;
}

/** The declarative query of a computation (API.md "Computations"). Never SQL. */
@ApiExtraModels(BinnedGroupDto)
export class ComputationQueryDto {
  @ApiProperty({ type: [QueryDatasetDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(6)
  @ValidateNested({ each: true })
  @Type(() => QueryDatasetDto)
  datasets: QueryDatasetDto[];

  @ApiPropertyOptional({ type: [FilterDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => FilterDto)
  where?: FilterDto[];

  @ApiPropertyOptional({
    type: 'array',
    items: { oneOf: [{ type: 'string', pattern: COLUMN_REF_PATTERN.source }, { $ref: getSchemaPath(BinnedGroupDto) }] },
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @Validate(GroupByItemShape)
  groupBy?: (string | BinnedGroupDto)[];

  @ApiProperty({ type: [MeasureDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => MeasureDto)
  measures: MeasureDto[];

  @ApiPropertyOptional({ type: [JoinDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => JoinDto)
  join?: JoinDto[];

  @ApiPropertyOptional({ default: false, description: 'add margins ("*") and a grand total' })
  @IsOptional()
  @IsBoolean()
  totals?: boolean;

  @ApiPropertyOptional({ type: PrivacyDto, default: { mechanism: 'none' } })
  @IsOptional()
  @ValidateNested()
  @Type(() => PrivacyDto)
  privacy?: PrivacyDto;
}

export class SubmitComputationDto {
  @ApiProperty({ type: ComputationQueryDto })
  @IsDefined() // without it a body lacking `query` passed validation and failed later with a 500 (found by the fuzzer)
  @ValidateNested()
  @Type(() => ComputationQueryDto)
  query: ComputationQueryDto;
}

/** `GET /computations/{id}?wait=N`: a long poll of up to 30 s (an extension of API.md). */
export class GetComputationQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: 30, description: 'seconds to wait for the computation to leave queued/running' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  wait?: number;
}
