import { Forbidden, NotFound } from '@cadre/common';
import { subject } from '@casl/ability';
import { defineAbilityFor } from './ability.factory';
import { authorize } from './authorize';

const steward = defineAbilityFor({ id: 'u', email: 'u@t', displayName: 'u', organisationId: 'org-b', roles: ['data_steward'], platformRoles: [] });
const contract = subject('Contract', { providerOrganisationId: 'org-b', requesterOrganisationId: 'org-a' });

describe('authorize (the one way services ask the rules)', () => {
  it('returns when the ability allows the action on the record', () => {
    expect(() => authorize(steward, 'read', contract)).not.toThrow();
  });

  it('refuses with 403 and the given detail when the caller may know the record', () => {
    expect(() => authorize(steward, 'sign', contract, 'Only the parties sign a contract')).toThrow(new Forbidden('Only the parties sign a contract'));
  });

  it('refuses with 404 naming the kind of record when asked to hide it', () => {
    const other = subject('Contract', { providerOrganisationId: 'org-c', requesterOrganisationId: 'org-a' });
    expect(() => authorize(steward, 'read', other, { notFound: 'Contract' })).toThrow(NotFound);
    expect(() => authorize(steward, 'read', other, { notFound: 'Contract' })).toThrow('Contract not found');
  });
});
