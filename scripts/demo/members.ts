import { CadreClient } from './client';

export interface Member {
  id: string;
  name: string;
  admin: CadreClient;
  adminUserId: string;
  users: Record<string, { id: string; email: string; client: CadreClient }>;
}

interface UserView {
  id: string;
}

const PASSWORD = 'demo-password-0123';

/**
 * Admits an organisation the way the operator does: the organisation, its org_admin,
 * its other users (created by that org_admin), and its adherence to the current charter.
 */
export async function admitMember(
  operator: CadreClient,
  input: { name: string; college: string; siren?: string; slug: string; users: { key: string; roles: string[]; displayName: string }[] },
): Promise<Member> {
  const org = await operator.post<{ id: string; name: string }>('/api/v1/organisations', { name: input.name, college: input.college, ...(input.siren ? { siren: input.siren } : {}) });
  const adminEmail = `admin@${input.slug}.demo`;
  const adminUser = await operator.post<UserView>(`/api/v1/organisations/${org.id}/users`, {
    email: adminEmail, password: PASSWORD, displayName: `${input.name} — administrator`, roles: ['org_admin'],
  });
  const admin = await operator.as('').login(adminEmail, PASSWORD);
  const charter = await operator.get<{ id: string }>('/api/v1/register/charter');
  await admin.post(`/api/v1/organisations/${org.id}/adherences`, { charterId: charter.id });
  const users: Member['users'] = {};
  for (const u of input.users) {
    const email = `${u.key}@${input.slug}.demo`;
    const created = await admin.post<UserView>(`/api/v1/organisations/${org.id}/users`, { email, password: PASSWORD, displayName: u.displayName, roles: u.roles });
    users[u.key] = { id: created.id, email, client: await operator.as('').login(email, PASSWORD) };
  }
  return { id: org.id, name: org.name, admin, adminUserId: adminUser.id, users };
}

/** Gives a user the ethics committee role and returns a client logged in after the change. */
export async function appointToCommittee(operator: CadreClient, user: { id: string; email: string }): Promise<CadreClient> {
  await operator.put(`/api/v1/users/${user.id}/platform-roles`, { platformRoles: ['ethics_committee'] });
  return operator.as('').login(user.email, PASSWORD);
}

/** Waits for a computation to leave the queue, with a bounded number of polls. */
export async function awaitComputation<T extends { status: string }>(client: CadreClient, id: string, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A long poll: the API answers as soon as the computation leaves the queue (or after 30 s).
    const c = await client.get<T>(`/api/v1/computations/${id}?wait=30`);
    if (!['queued', 'running'].includes(c.status)) return c;
    if (Date.now() > deadline) throw new Error(`computation ${id} still ${c.status} after ${timeoutMs} ms`);
  }
}

/** Waits for an upload to finish and fails loudly (with its line-numbered errors) if it did not succeed. */
export async function awaitUpload(client: CadreClient, datasetId: string, uploadId: string, timeoutMs = 600_000): Promise<{ rowsAccepted: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const u = await client.get<{ status: string; rowsAccepted: number; errors: unknown[] }>(`/api/v1/datasets/${datasetId}/uploads/${uploadId}`);
    if (u.status === 'succeeded') return u;
    if (u.status === 'failed') throw new Error(`upload failed: ${JSON.stringify(u.errors).slice(0, 500)}`);
    if (Date.now() > deadline) throw new Error(`upload still ${u.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
