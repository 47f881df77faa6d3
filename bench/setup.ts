import { CadreClient } from '../scripts/demo/client';
import { createAndLoad, Federation, foundFederation, signContracts, vote } from '../scripts/demo/scenario';
import { Member } from '../scripts/demo/members';

const quiet = () => undefined;

/** The members and committee of the demo, admitted through the API. */
export async function federation(baseUrl: string, admin: { email: string; password: string }): Promise<Federation> {
  const operator = await new CadreClient(baseUrl).login(admin.email, admin.password);
  return foundFederation(operator, quiet);
}

/** A dataset created by a steward and loaded from a CSV body or file stream. */
export { createAndLoad };

/** Takes a use case from draft to active: submitted, approved by three non-recused members, contracts signed. */
export async function activeUseCase(f: Federation, requester: Member, researcher: { id: string; client: CadreClient }, providers: Member[], requested: { datasetId: string; columns: string[] }[]): Promise<string> {
  const now = Date.now();
  const useCase = await researcher.client.post<{ id: string }>('/api/v1/use-cases', {
    title: `Benchmark use case ${now}`,
    purpose: 'Measure the platform against its floor.',
    publicInterest: 'Performance evidence for members.',
    requestedDatasets: requested,
    teamUserIds: [researcher.id],
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 30 * 24 * 3600_000).toISOString(),
  });
  await researcher.client.post(`/api/v1/use-cases/${useCase.id}/submit`);
  for (const member of [f.committee.region, f.committee.ethicist, f.committee.lawyer]) {
    const refused = await vote(member, useCase.id, { decision: 'approve', comment: 'benchmark' });
    if (refused) throw refused;
  }
  await signContracts(useCase.id, requester, providers, quiet);
  return useCase.id;
}
