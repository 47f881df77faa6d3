import { Injectable } from '@nestjs/common';
import { InvalidInput, PolicyViolation } from '@cadre/common';
import { DatasetsService } from '@cadre/datasets';
import { UsersService } from '@cadre/identity';
import { MembershipPolicy } from '@cadre/members';
import type { RequestedDataset } from './use-case.types';

export interface UseCaseRequest {
  requestedDatasets: RequestedDataset[];
  teamUserIds: string[];
  startsAt: Date;
  endsAt: Date;
}

type FieldError = { field: string; message: string };

/**
 * Checks what a use case asks for against the catalogue and the members: the datasets
 * exist, the columns exist and none is a linkage key, the team are researchers of
 * organisations in good standing, the period is well-formed. Returns the providers.
 */
@Injectable()
export class UseCaseRequestValidator {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly users: UsersService,
    private readonly membership: MembershipPolicy,
  ) {}

  async validate(request: UseCaseRequest): Promise<{ providerOrganisationIds: string[] }> {
    if (!(request.startsAt.getTime() < request.endsAt.getTime())) {
      throw new InvalidInput('startsAt must be before endsAt', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    }
    const ids = request.requestedDatasets.map((d) => d.datasetId);
    if (new Set(ids).size !== ids.length) {
      throw new InvalidInput('A dataset is requested twice', [{ field: 'requestedDatasets', message: 'each dataset may appear once' }]);
    }
    const providers = await this.checkDatasets(request.requestedDatasets);
    await this.checkTeam(request.teamUserIds);
    return { providerOrganisationIds: providers };
  }

  private async checkDatasets(requested: RequestedDataset[]): Promise<string[]> {
    const found = new Map((await this.datasets.describe(requested.map((d) => d.datasetId))).map((d) => [d.id, d]));
    const unknown: FieldError[] = [];
    const linkage: FieldError[] = [];
    requested.forEach((req, i) => {
      const dataset = found.get(req.datasetId);
      if (!dataset) {
        unknown.push({ field: `requestedDatasets.${i}.datasetId`, message: 'unknown dataset' });
        return;
      }
      if (new Set(req.columns).size !== req.columns.length) {
        unknown.push({ field: `requestedDatasets.${i}.columns`, message: 'a column is listed twice' });
      }
      const columns = new Map(dataset.columns.map((c) => [c.name, c]));
      for (const name of req.columns) {
        const column = columns.get(name);
        if (!column) unknown.push({ field: `requestedDatasets.${i}.columns`, message: `unknown column ${name}` });
        else if (column.role === 'linkage_key') linkage.push({ field: `requestedDatasets.${i}.columns`, message: `${name} is a linkage key` });
      }
    });
    // A linkage key is never requestable: it is the one column that could re-identify across datasets.
    if (linkage.length) throw new PolicyViolation('linkage_key_not_requestable', 'Linkage keys can never be requested', linkage);
    if (unknown.length) throw new PolicyViolation('unknown_dataset_or_column', 'The request names datasets or columns that do not exist', unknown);
    return [...new Set([...found.values()].map((d) => d.organisationId))];
  }

  private async checkTeam(teamUserIds: string[]): Promise<void> {
    const unique = [...new Set(teamUserIds)];
    const users = new Map((await this.users.findByIds(unique)).map((u) => [u.id, u]));
    const standing = new Map(
      (await this.membership.standingOf([...new Set([...users.values()].map((u) => u.organisationId))])).map((s) => [s.organisationId, s]),
    );
    const errors: FieldError[] = [];
    unique.forEach((id) => {
      const user = users.get(id);
      const org = user && standing.get(user.organisationId);
      if (!user) errors.push({ field: 'teamUserIds', message: `unknown user ${id}` });
      else if (!user.roles.includes('researcher')) errors.push({ field: 'teamUserIds', message: `user ${id} is not a researcher` });
      else if (!org || !(org.isOperator || (org.status === 'active' && org.adheresToCurrentCharter))) {
        errors.push({ field: 'teamUserIds', message: `user ${id} belongs to an organisation that is suspended or does not adhere to the charter` });
      }
    });
    if (errors.length) throw new PolicyViolation('invalid_team', 'The team must be researchers of adhering member organisations', errors);
  }
}
