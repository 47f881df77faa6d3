import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BudgetView, ComputationView } from '../computations.service';
import { ComputationQueryDto } from '../query/computation-query.dto';

export class ComputationAcceptedResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
}

export class DisclosureSummary {
  @ApiProperty() minCellSize: number;
  @ApiProperty() primarySuppressed: number;
  @ApiProperty() secondarySuppressed: number;
  @ApiProperty({ description: 'counts and sums are multiples of this (0: none)' }) rounding: number;
  @ApiProperty({ type: () => PerturbationSummary, nullable: true, description: 'rule 3 (cell key method); null under differential privacy' })
  perturbation: PerturbationSummary | null;
}

export class PerturbationSummary {
  @ApiProperty({ enum: ['cell_key'] }) method: 'cell_key';
  @ApiProperty({ description: 'no released count is further than this from the truth; a sum moves by at most this × its largest contribution' }) maxDeviation: number;
  @ApiProperty() variance: number;
}

export class DatasetVersionSummary {
  @ApiProperty({ format: 'uuid' }) datasetId: string;
  @ApiProperty() version: number;
}

export class PrivacySummary {
  @ApiProperty({ enum: ['none', 'laplace', 'gaussian'] }) mechanism: string;
  @ApiProperty() epsilonSpent: number;
  @ApiPropertyOptional() delta?: number;
  @ApiPropertyOptional({ description: 'under DP: L, the most cells one person contributes to (terms.disclosure.privacy.maxCellsPerPerson)' }) maxCellsPerPerson?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'under DP: persons with more than L cells (rows beyond dropped), rounded to 10; null below the minimum cell size' })
  boundedPersons?: number | null;
}

export class AuditHeadSummary {
  @ApiProperty() seq: number;
  @ApiProperty() headHash: string;
}

export class ComputationResultResponse {
  @ApiProperty({ type: [String], example: ['h.iris', 'count'] }) columns: string[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'one object per published line: the columns, `suppressed`, and `reason` (min_cell_size | dominance | secondary) when suppressed',
  })
  rows: Record<string, unknown>[];
  @ApiProperty({ type: DisclosureSummary }) disclosure: DisclosureSummary;
  @ApiProperty({ type: PrivacySummary }) privacy: PrivacySummary;
  @ApiProperty({ type: [DatasetVersionSummary], description: 'the dataset versions the result was computed on (signed)' }) datasetVersions: DatasetVersionSummary[];
  @ApiPropertyOptional({ type: AuditHeadSummary, description: 'the last chained audit event when the result was signed; the result\'s own events are chained after it (compare with GET /register/audit-head)' }) auditHead?: AuditHeadSummary;
  @ApiProperty({ description: 'compact JWS (verifiable with /.well-known/jwks.json) over the canonical {type, computationId, useCaseId, columns, rows, disclosure, privacy, datasetVersions, auditHead}' })
  signature: string;
}

export class RejectionResponse {
  @ApiProperty({ example: 'differencing_risk' }) code: string;
  @ApiProperty() detail: string;
}

export class ComputationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) useCaseId: string;
  @ApiProperty({ enum: ['queued', 'running', 'released', 'pending_release', 'rejected', 'failed', 'cancelled'] }) status: string;
  @ApiProperty({ format: 'uuid' }) submittedBy: string;
  @ApiProperty({ type: ComputationQueryDto }) query: unknown;
  @ApiPropertyOptional({ type: ComputationResultResponse }) result?: ComputationResultResponse;
  @ApiPropertyOptional({ type: RejectionResponse }) rejection?: RejectionResponse;
  @ApiPropertyOptional({ example: 'query_timeout', description: 'why a failed computation failed (never data)' }) failure?: string;
  @ApiProperty() epsilon: number;
  @ApiProperty({ enum: ['automatic', 'provider_review'] }) releaseMode: string;
  @ApiProperty({ type: [String] }) providerOrganisationIds: string[];
  @ApiProperty({ type: [String], description: 'providers that released a result held for review' }) releasedBy: string[];
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true }) finishedAt: string | null;
}

export class BudgetResponse {
  @ApiProperty() epsilonTotal: number;
  @ApiProperty() epsilonSpent: number;
  @ApiProperty() computationsMax: number;
  @ApiProperty() computationsUsed: number;
}

export function toComputationResponse(v: ComputationView): ComputationResponse {
  return {
    id: v.id,
    useCaseId: v.useCaseId,
    status: v.status,
    submittedBy: v.submittedBy,
    query: v.query,
    ...(v.result ? { result: v.result as unknown as ComputationResultResponse } : {}),
    ...(v.rejection ? { rejection: { code: v.rejection.code, detail: v.rejection.detail } } : {}),
    ...(v.failure ? { failure: v.failure } : {}),
    epsilon: v.epsilon,
    releaseMode: v.releaseMode,
    providerOrganisationIds: v.providerOrganisationIds,
    releasedBy: v.releasedBy,
    createdAt: new Date(v.createdAt).toISOString(),
    finishedAt: v.finishedAt ? new Date(v.finishedAt).toISOString() : null,
  };
}

export function toBudgetResponse(b: BudgetView): BudgetResponse {
  return { epsilonTotal: b.epsilonTotal, epsilonSpent: b.epsilonSpent, computationsMax: b.computationsMax, computationsUsed: b.computationsUsed };
}
