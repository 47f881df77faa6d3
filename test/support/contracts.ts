import { Member, TrustedUseCase, World } from './world';

/**
 * Contract fixtures over HTTP: sign every pending contract of an approved use case as
 * both parties (platform-attested signatures), taking it to `active`.
 *
 *   const trusted = await world.trustedUseCase({ requester: hospital, providers: [social] });
 *   const useCase = await signAllContracts(world, trusted);   // status 'active'
 */

type Json = any;

function expectStatus(res: { status: number; body: unknown }, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

/** Every contract of a use case, as the platform admin sees them (all of them, current or not). */
export async function listContracts(world: World, useCaseId: string): Promise<Json[]> {
  const res = await world.as(await world.adminToken()).get(`/api/v1/use-cases/${useCaseId}/contracts?limit=200`);
  expectStatus(res, 200, 'contract list');
  return res.body.items;
}

/** The current contract with one provider. */
export async function contractOf(world: World, useCaseId: string, providerOrganisationId: string): Promise<Json> {
  const found = (await listContracts(world, useCaseId)).find((c) => c.current && c.provider.id === providerOrganisationId);
  if (!found) throw new Error(`no current contract with provider ${providerOrganisationId}`);
  return found;
}

/**
 * Signs, as each party's org_admin, every current pending contract of the use case that
 * the party has not signed yet; returns the use case afterwards (expected 'active').
 * `parties` are the requester and the providers (a TrustedUseCase gives them).
 */
export async function signAllContracts(world: World, useCase: TrustedUseCase | { id: string; parties: Member[] }): Promise<Json> {
  const useCaseId = 'parties' in useCase ? useCase.id : useCase.useCase.id;
  const parties = 'parties' in useCase ? useCase.parties : [useCase.requester, ...useCase.providers];
  const admins = new Map(parties.map((m) => [m.id, m.admin.token]));
  for (const contract of await listContracts(world, useCaseId)) {
    if (!contract.current || contract.status !== 'pending_signatures') continue;
    const signed = new Set(contract.signatures.map((s: Json) => s.organisationId));
    for (const org of new Set([contract.provider.id, contract.requester.id])) {
      if (signed.has(org)) continue;
      const token = admins.get(org);
      if (!token) throw new Error(`signAllContracts: no org_admin given for organisation ${org}`);
      const res = await world.as(token).post(`/api/v1/contracts/${contract.id}/signatures`).send({});
      expectStatus(res, 201, `signature of contract ${contract.id} by ${org}`);
    }
  }
  const res = await world.as(await world.adminToken()).get(`/api/v1/use-cases/${useCaseId}`);
  expectStatus(res, 200, 'use case after signatures');
  return res.body;
}

/** A use case approved by the committee and with every contract signed: `active`. */
export async function activeUseCase(world: World, options: Parameters<World['trustedUseCase']>[0] = {}): Promise<TrustedUseCase> {
  const trusted = await world.trustedUseCase(options);
  const useCase = await signAllContracts(world, trusted);
  if (useCase.status !== 'active') throw new Error(`activeUseCase: expected active, got ${useCase.status}`);
  return { ...trusted, useCase };
}
