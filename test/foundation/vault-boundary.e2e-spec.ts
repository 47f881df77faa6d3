import { DataSource } from 'typeorm';
import { startTestPlatform, TestPlatform } from '../support/platform';

describe('the vault boundary (safe settings)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
    await platform.owner.query(`CREATE TABLE vault.boundary_probe (person text, value int)`);
    await platform.owner.query(`INSERT INTO vault.boundary_probe VALUES ('p1', 42)`);
  });
  afterAll(() => platform.close());

  it('refuses a SELECT on a vault table through the API connection', async () => {
    const api = platform.app.get(DataSource);
    const [{ current_user }] = await api.query('SELECT current_user');
    expect(current_user).toBe('cadre_app');
    await expect(api.query('SELECT * FROM vault.boundary_probe')).rejects.toThrow(/permission denied/);
  });

  it('refuses to create a table in vault through the API connection', async () => {
    const api = platform.app.get(DataSource);
    await expect(api.query('CREATE TABLE vault.sneaky (x int)')).rejects.toThrow(/permission denied/);
  });

  it('refuses temporary tables to every runtime role', async () => {
    const { Client } = await import('pg');
    for (const role of ['app', 'ingest', 'compute'] as const) {
      const client = new Client({ connectionString: platform.config.databaseUrl(role) });
      await client.connect();
      try {
        await expect(client.query('CREATE TEMPORARY TABLE scratch (x int)')).rejects.toThrow(/permission denied/);
      } finally {
        await client.end();
      }
    }
  });
});
