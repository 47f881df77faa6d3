import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationError,
  validateSync,
} from 'class-validator';
import { PRIVACY_MECHANISMS, RELEASE_MODES } from './contract-terms';
import type { FieldProblem } from './terms-policy';

const finite = { allowNaN: false, allowInfinity: false };

/** A list of non-empty lists of column names. */
export function IsColumnSets() {
  return ValidateBy({
    name: 'isColumnSets',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.length <= 100 &&
        value.every((set) => Array.isArray(set) && set.length > 0 && set.length <= 20 && set.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 200)),
      defaultMessage: () => 'must be a list of non-empty column-name lists',
    },
  });
}

class DatasetSchema {
  @IsUUID() datasetId: string;
  @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(200, { each: true }) columns: string[];
}
class DominanceSchema {
  @IsInt() @Min(1) @Max(100) n: number;
  @IsNumber(finite) @Min(1) @Max(100) k: number;
}
class PrivacySchema {
  @IsIn(PRIVACY_MECHANISMS) mechanism: string;
  @IsNumber(finite) @Min(0) @Max(100) epsilonTotal: number;
  @IsNumber(finite) @Min(0) @Max(0.1) delta: number;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxCellsPerPerson?: number;
}
class PerturbationSchema {
  @IsOptional() @IsNumber(finite) @Min(0) @Max(1_000_000_000) maxDeviation?: number;
  @IsOptional() @IsNumber(finite) @Min(0) @Max(1_000_000_000) variance?: number;
}
class DisclosureSchema {
  @IsInt() @Min(1) @Max(1_000_000) minCellSize: number;
  @IsObject() @ValidateNested() @Type(() => DominanceSchema) dominance: DominanceSchema;
  @IsInt() @Min(0) @Max(1_000_000) rounding: number;
  @IsObject() @ValidateNested() @Type(() => PrivacySchema) privacy: PrivacySchema;
  @IsOptional() @IsColumnSets() forbiddenGroupBy?: string[][];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PerturbationSchema) perturbation?: PerturbationSchema;
}
class TermsSchema {
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => DatasetSchema) datasets: DatasetSchema[];
  @IsString() @MaxLength(10_000) purpose: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) researchers: string[];
  @IsISO8601({ strict: true }) validFrom: string;
  @IsISO8601({ strict: true }) validUntil: string;
  @IsObject() @ValidateNested() @Type(() => DisclosureSchema) disclosure: DisclosureSchema;
  @IsInt() @Min(0) @Max(1_000_000) maxComputations: number;
  @IsIn(RELEASE_MODES) releaseMode: string;
}

function flatten(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = `${prefix}.${e.property}`;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...flatten(e.children ?? [], field)];
  });
}

/**
 * Shape problems of a complete terms object (closed schema: every key known, every nested
 * object an object, every number in range). Runs on the merged terms before any
 * stricter-only comparison, so that the comparison never sees a malformed value.
 */
export function termsShapeProblems(terms: unknown): FieldProblem[] {
  if (typeof terms !== 'object' || terms === null || Array.isArray(terms)) return [{ field: 'terms', message: 'must be an object' }];
  const instance = plainToInstance(TermsSchema, terms);
  return flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), 'terms');
}
