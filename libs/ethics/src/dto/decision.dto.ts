import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { DecisionConditions } from '../conditions';
import type { VoteView } from '../reviews.service';
import type { SignedDecision, VoteDecision } from '../use-case.types';

/** A non-empty list of non-empty sets of column names. */
function IsColumnSets() {
  return ValidateBy({
    name: 'isColumnSets',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.every(
          (set) => Array.isArray(set) && set.length > 0 && set.length <= 20 && set.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 200),
        ),
      defaultMessage: () => 'forbiddenGroupBy must be a list of non-empty column-name lists',
    },
  });
}

/** The same bounds as the contracts' PATCH (terms.disclosure.perturbation): larger is stricter. */
export class PerturbationConditionsDto {
  @ApiPropertyOptional({ minimum: 2, maximum: 20, description: 'Maximum deviation of the cell key method; larger is stricter' })
  @IsOptional() @IsInt() @Min(2) @Max(20)
  maxDeviation?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 399, description: 'Variance of the p-table; larger is stricter (below maxDeviation²)' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(399)
  variance?: number;
}

export class ConditionsDto implements DecisionConditions {
  @ApiPropertyOptional({ minimum: 2, maximum: 1000, description: 'minimum persons per released cell' })
  @IsOptional() @IsInt() @Min(2) @Max(1000)
  minCellSize?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'round counts and sums to a multiple of this' })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  rounding?: number;

  @ApiPropertyOptional({ minimum: 0.0001, maximum: 100, description: 'total differential-privacy budget cap' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.0001) @Max(100)
  maxEpsilon?: number;

  @ApiPropertyOptional({ type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'column sets that may not be grouped on, alone or together' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsColumnSets()
  forbiddenGroupBy?: string[][];

  @ApiPropertyOptional({ enum: ['automatic', 'provider_review'] })
  @IsOptional() @IsIn(['automatic', 'provider_review'])
  releaseMode?: 'automatic' | 'provider_review';

  @ApiPropertyOptional({ type: PerturbationConditionsDto, description: 'cell key perturbation (rule 3): only stricter than the contracts and the platform' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PerturbationConditionsDto)
  perturbation?: PerturbationConditionsDto;
}

export class ReplaceConditionsDto {
  @ApiProperty({ description: 'why the conditions of earlier rounds no longer apply (recorded in the signed decision)' })
  @IsString() @IsNotEmpty() @MaxLength(10000)
  reason: string;
}

export class CastVoteDto {
  @ApiProperty({ enum: ['approve', 'reject', 'request_changes'] })
  @IsIn(['approve', 'reject', 'request_changes'])
  decision: VoteDecision;

  @ApiPropertyOptional({ description: 'required to reject or to request changes' })
  @ValidateIf((v: CastVoteDto) => v.decision !== 'approve' || v.comment !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'a comment is required to reject or to request changes' })
  @MaxLength(10000)
  comment?: string;

  @ApiPropertyOptional({ type: ConditionsDto, description: 'conditions of an approving vote; they tighten those carried over from earlier rounds' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConditionsDto)
  conditions?: ConditionsDto;

  @ApiPropertyOptional({ type: () => ReplaceConditionsDto, description: 'replace the carried-over conditions instead of tightening them (takes effect only if every approving vote of the round asks it)' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ReplaceConditionsDto)
  replaceConditions?: ReplaceConditionsDto;
}

export class DecisionVoteResponse {
  @ApiProperty({ format: 'uuid' }) voterId: string;
  @ApiProperty({ enum: ['approve', 'reject', 'request_changes'] }) decision: string;
  @ApiProperty({ nullable: true, type: String }) comment: string | null;
  @ApiProperty({ nullable: true, type: ConditionsDto }) conditions: ConditionsDto | null;
  @ApiProperty() castAt: string;
}

export class DecisionResponse {
  @ApiProperty({ enum: ['cadre.ethics_decision'] }) type: string;
  @ApiProperty({ format: 'uuid' }) useCaseId: string;
  @ApiProperty() round: number;
  @ApiProperty({ enum: ['approved', 'rejected', 'changes_requested'] }) outcome: string;
  @ApiProperty({ type: [DecisionVoteResponse] }) votes: DecisionVoteResponse[];
  @ApiProperty({ type: ConditionsDto }) conditions: ConditionsDto;
  @ApiProperty({ type: ConditionsDto, description: 'conditions in force before this round' }) previousConditions: ConditionsDto;
  @ApiPropertyOptional({ description: 'set when the round replaced the carried-over conditions: the reasons' }) conditionsReplaced?: { reasons: string[] };
  @ApiProperty({ description: 'the last chained audit event when the decision was signed (the decision\'s own events are chained after it)' }) auditHead: { seq: number; headHash: string };
  @ApiProperty() decidedAt: string;
  @ApiProperty({ description: 'compact JWS over the canonical JSON of the decision without this field; verify with /.well-known/jwks.json' })
  signature: string;
}

export class VoteResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) useCaseId: string;
  @ApiProperty() round: number;
  @ApiProperty({ enum: ['approve', 'reject', 'request_changes'] }) decision: string;
  @ApiProperty({ nullable: true, type: String }) comment: string | null;
  @ApiProperty({ nullable: true, type: ConditionsDto }) conditions: ConditionsDto | null;
  @ApiProperty() castAt: string;
  @ApiProperty({ description: "the use case's status after this vote" }) useCaseStatus: string;
  @ApiProperty({ nullable: true, type: String, enum: ['approved', 'rejected', 'changes_requested'], description: 'set when this vote completed the quorum' })
  outcome: string | null;
}

export function toDecisionResponse(d: SignedDecision): DecisionResponse {
  return {
    type: d.type,
    useCaseId: d.useCaseId,
    round: d.round,
    outcome: d.outcome,
    votes: d.votes.map((v) => ({ ...v })),
    conditions: d.conditions,
    previousConditions: d.previousConditions ?? {},
    ...(d.conditionsReplaced ? { conditionsReplaced: d.conditionsReplaced } : {}),
    auditHead: d.auditHead,
    decidedAt: d.decidedAt,
    signature: d.signature,
  };
}

export function toVoteResponse(v: VoteView): VoteResponse {
  return { ...v, castAt: v.castAt.toISOString() };
}
