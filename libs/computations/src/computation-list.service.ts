import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Page } from '@cadre/common';
import { AbilityFactory, authorize, subject } from '@cadre/access';
import { UseCasesService } from '@cadre/ethics';
import type { Actor } from '@cadre/identity';
import type { ComputationStatus } from './computation.store';
import type { ComputationQuery } from './query/query';
import type { RejectionCode } from './computations.errors';

/** A computation in a use case's list: its state, never its result. */
export interface ComputationSummary {
  id: string;
  useCaseId: string;
  status: ComputationStatus;
  submittedBy: string;
  query: ComputationQuery;
  rejection?: { code: string; detail: string };
  failure?: string;
  epsilon: number;
  releaseMode: 'automatic' | 'provider_review';
  createdAt: Date;
  finishedAt: Date | null;
}

/** The computations of one use case, newest first, for the team and the providers (404 for anyone else). */
@Injectable()
export class ComputationListService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly abilities: AbilityFactory,
    private readonly useCases: UseCasesService,
  ) {}

  async list(actor: Actor, useCaseId: string, limit: number, offset: number): Promise<Page<ComputationSummary>> {
    const useCase = await this.useCases.findVisible(actor, useCaseId);
    const target = subject('Computation', { teamUserIds: useCase.teamUserIds, providerOrganisationIds: useCase.providerOrganisationIds });
    authorize(this.abilities.createForActor(actor), 'read', target, { notFound: 'Use case' });
    const rows: RawSummary[] = await this.db.query(
      `SELECT id, use_case_id, submitted_by, status, query, rejection, failure, epsilon, release_mode, created_at, finished_at
         FROM cadre.computations WHERE use_case_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [useCaseId, limit, offset],
    );
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM cadre.computations WHERE use_case_id = $1`, [useCaseId]);
    return { items: rows.map(toSummary), total };
  }
}

interface RawSummary {
  id: string;
  use_case_id: string;
  submitted_by: string;
  status: ComputationStatus;
  query: ComputationQuery;
  rejection: { code: RejectionCode; detail: string } | null;
  failure: string | null;
  epsilon: string | number;
  release_mode: 'automatic' | 'provider_review';
  created_at: Date;
  finished_at: Date | null;
}

function toSummary(r: RawSummary): ComputationSummary {
  return {
    id: r.id,
    useCaseId: r.use_case_id,
    status: r.status,
    submittedBy: r.submitted_by,
    query: r.query,
    ...(r.rejection ? { rejection: r.rejection } : {}),
    ...(r.failure ? { failure: r.failure } : {}),
    epsilon: Number(r.epsilon),
    releaseMode: r.release_mode,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
