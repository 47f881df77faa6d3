import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTRACT_STATUSES, PRIVACY_MECHANISMS, RELEASE_MODES } from '../contract-terms';
import type { ContractStatus, ContractTerms, PrivacyMechanism, ReleaseMode } from '../contract-terms';
import type { ContractView, PartyView, SignatureView, VerificationView } from '../contract.views';

class DominanceResponse {
  @ApiProperty() n: number;
  @ApiProperty() k: number;
}
class PrivacyResponse {
  @ApiProperty({ enum: PRIVACY_MECHANISMS }) mechanism: PrivacyMechanism;
  @ApiProperty() epsilonTotal: number;
  @ApiProperty() delta: number;
}
class DisclosureResponse {
  @ApiProperty() minCellSize: number;
  @ApiProperty({ type: DominanceResponse }) dominance: DominanceResponse;
  @ApiProperty() rounding: number;
  @ApiProperty({ type: PrivacyResponse }) privacy: PrivacyResponse;
}
class TermsDatasetResponse {
  @ApiProperty({ format: 'uuid' }) datasetId: string;
  @ApiProperty({ type: [String] }) columns: string[];
}
export class ContractTermsResponse implements ContractTerms {
  @ApiProperty({ type: [TermsDatasetResponse] }) datasets: TermsDatasetResponse[];
  @ApiProperty() purpose: string;
  @ApiProperty({ type: [String], format: 'uuid' }) researchers: string[];
  @ApiProperty({ format: 'date-time' }) validFrom: string;
  @ApiProperty({ format: 'date-time' }) validUntil: string;
  @ApiProperty({ type: DisclosureResponse }) disclosure: DisclosureResponse;
  @ApiProperty() maxComputations: number;
  @ApiProperty({ enum: RELEASE_MODES }) releaseMode: ReleaseMode;
}
class PartyResponse implements PartyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class SignatureResponse implements SignatureView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) contractId: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ format: 'uuid' }) signerUserId: string;
  @ApiProperty({ enum: ['platform', 'organisation_key'] }) method: 'platform' | 'organisation_key';
  @ApiProperty({ description: 'SHA-256 hex of the canonical JSON of the terms signed' }) termsSha256: string;
  @ApiProperty({ format: 'date-time' }) signedAt: string;
  @ApiProperty({ nullable: true, type: String }) keyId: string | null;
  @ApiProperty({ description: 'Compact JWS; platform ones verify with /.well-known/jwks.json' }) jws: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) voidedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) voidReason: string | null;
}

export class ContractResponse implements ContractView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) useCaseId: string;
  @ApiProperty({ enum: CONTRACT_STATUSES }) status: ContractStatus;
  @ApiProperty({ description: "Whether this is the use case's contract with this provider now (false once replaced)" }) current: boolean;
  @ApiProperty({ type: PartyResponse }) provider: PartyResponse;
  @ApiProperty({ type: PartyResponse }) requester: PartyResponse;
  @ApiProperty({ type: ContractTermsResponse }) terms: ContractTermsResponse;
  @ApiProperty() termsSha256: string;
  @ApiProperty() termsRevision: number;
  @ApiProperty({ type: [SignatureResponse], description: 'Signatures of the current terms' }) signatures: SignatureResponse[];
  @ApiProperty({ type: [SignatureResponse], description: 'Signatures voided by a change of terms' }) voidedSignatures: SignatureResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) activatedAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) endedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) endReason: string | null;
}

export class ContractPageResponse {
  @ApiProperty({ type: [ContractResponse] }) items: ContractResponse[];
  @ApiProperty() total: number;
}

class SignatureVerificationResponse {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ['platform', 'organisation_key'] }) method: 'platform' | 'organisation_key';
  @ApiProperty() valid: boolean;
}

export class VerificationResponse implements VerificationView {
  @ApiProperty({ description: 'Every party has signed and every signature verifies against the current terms' }) valid: boolean;
  @ApiProperty({ description: 'Every party has signed the current terms' }) complete: boolean;
  @ApiProperty() termsSha256: string;
  @ApiProperty({ type: [SignatureVerificationResponse] }) signatures: SignatureVerificationResponse[];
}

/** The answer of every contract route: fields picked one by one, so nothing else leaks. */
export function toContractResponse(v: ContractView): ContractResponse {
  return {
    id: v.id,
    useCaseId: v.useCaseId,
    status: v.status,
    current: v.current,
    provider: { id: v.provider.id, name: v.provider.name },
    requester: { id: v.requester.id, name: v.requester.name },
    terms: v.terms,
    termsSha256: v.termsSha256,
    termsRevision: v.termsRevision,
    signatures: v.signatures.map(toSignatureResponse),
    voidedSignatures: v.voidedSignatures.map(toSignatureResponse),
    createdAt: v.createdAt,
    activatedAt: v.activatedAt,
    endedAt: v.endedAt,
    endReason: v.endReason,
  };
}

export function toSignatureResponse(s: SignatureView): SignatureResponse {
  return { ...s };
}

export function toVerificationResponse(v: VerificationView): VerificationResponse {
  return { valid: v.valid, complete: v.complete, termsSha256: v.termsSha256, signatures: v.signatures.map((s) => ({ ...s })) };
}
