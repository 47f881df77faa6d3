import { createHash } from 'node:crypto';
import { canonicalJson } from '@cadre/common';
import type { ContractSignature, SignatureMethod } from './contract-signature.entity';
import type { ContractStatus, ContractTerms } from './contract-terms';
import type { Contract } from './contract.entity';

/** SHA-256 hex of the canonical JSON of the terms: what every signature covers. */
export function termsSha256(terms: ContractTerms): string {
  return createHash('sha256').update(canonicalJson(terms)).digest('hex');
}

export interface PartyView {
  id: string;
  name: string;
}

export interface SignatureView {
  id: string;
  contractId: string;
  organisationId: string;
  signerUserId: string;
  method: SignatureMethod;
  termsSha256: string;
  signedAt: string;
  keyId: string | null;
  jws: string;
  voidedAt: string | null;
  voidReason: string | null;
}

export interface ContractView {
  id: string;
  useCaseId: string;
  status: ContractStatus;
  current: boolean;
  provider: PartyView;
  requester: PartyView;
  terms: ContractTerms;
  termsSha256: string;
  termsRevision: number;
  signatures: SignatureView[];
  voidedSignatures: SignatureView[];
  createdAt: string;
  activatedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
}

export interface VerificationView {
  valid: boolean;
  complete: boolean;
  termsSha256: string;
  signatures: { organisationId: string; method: SignatureMethod; valid: boolean }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSignatureView(s: ContractSignature): SignatureView {
  return {
    id: s.id,
    contractId: s.contractId,
    organisationId: s.organisationId,
    signerUserId: s.signerUserId,
    method: s.method,
    termsSha256: s.termsSha256,
    signedAt: s.signedAt.toISOString(),
    keyId: s.keyId,
    jws: s.jws,
    voidedAt: iso(s.voidedAt),
    voidReason: s.voidReason,
  };
}

export function toContractView(c: Contract, signatures: ContractSignature[], names: Map<string, string>): ContractView {
  const own = signatures.filter((s) => s.contractId === c.id).sort((a, b) => a.signedAt.getTime() - b.signedAt.getTime());
  return {
    id: c.id,
    useCaseId: c.useCaseId,
    status: c.status,
    current: c.isCurrent,
    provider: { id: c.providerOrganisationId, name: names.get(c.providerOrganisationId) ?? '' },
    requester: { id: c.requesterOrganisationId, name: names.get(c.requesterOrganisationId) ?? '' },
    terms: c.terms,
    termsSha256: c.termsSha256,
    termsRevision: c.termsRevision,
    signatures: own.filter((s) => !s.voidedAt).map(toSignatureView),
    voidedSignatures: own.filter((s) => s.voidedAt).map(toSignatureView),
    createdAt: c.createdAt.toISOString(),
    activatedAt: iso(c.activatedAt),
    endedAt: iso(c.endedAt),
    endReason: c.endReason,
  };
}

/** The organisations that must sign a contract: provider and requester (one when they are the same). */
export function requiredParties(c: Pick<Contract, 'providerOrganisationId' | 'requesterOrganisationId'>): string[] {
  return [...new Set([c.providerOrganisationId, c.requesterOrganisationId])];
}
