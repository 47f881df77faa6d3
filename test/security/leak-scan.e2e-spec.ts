import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { CadreClient } from '../../scripts/demo/client';
import { foundFederation, runCovidScenario, runProcurementScenario } from '../../scripts/demo/scenario';
import { generateCovidWorld, generateProcurementWorld } from '../../scripts/demo/synthetic';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

/**
 * The promise, checked as a whole: after the demo's two scenarios (uploads, reviews,
 * contracts, computations, attacks), no identifier that went into the vault — raw or
 * pseudonymised — is found in any HTTP answer, any log line, any Redis key or value, or
 * any table of the governance schema.
 */
describe('nothing leaks: every response, log line, job payload and governance row is scanned', () => {
  let platform: TestPlatform;
  const logLines: string[] = [];
  const responses: string[] = [];
  const world = generateCovidWorld(7, 3_000);
  const procurement = generateProcurementWorld(7, 150);
  const realFetch = global.fetch;

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    platform = await startTestPlatform({ env: { LOG_LEVEL: 'debug' }, logStream });
    await platform.app.listen(0, '127.0.0.1');
    global.fetch = async (...args: Parameters<typeof fetch>) => {
      const res = await realFetch(...args);
      responses.push(await res.clone().text());
      return res;
    };
    const { port } = platform.app.getHttpServer().address() as AddressInfo;
    const operator = await new CadreClient(`http://127.0.0.1:${port}`).login(ADMIN.email, ADMIN.password);
    const federation = await foundFederation(operator, () => undefined);
    await runCovidScenario(federation, world, () => undefined);
    await runProcurementScenario(federation, procurement, () => undefined);
  }, 600_000);

  afterAll(async () => {
    global.fetch = realFetch;
    await platform?.close();
  });

  async function identifiers(): Promise<string[]> {
    const raw = [...world.patients.map((p) => p.nationalId), ...world.households.map((h) => h.nationalId), ...procurement.companies.map((c) => c.siren)];
    // The pseudonyms, as stored in the vault (read by the superuser, as only a test may).
    const tables = await platform.owner.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'vault'`);
    const pseudonyms: string[] = [];
    for (const { tablename } of tables.rows) {
      const cols = await platform.owner.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'vault' AND table_name = $1 AND column_name IN ('nationalId', 'supplierSiren', 'siren')`,
        [tablename],
      );
      for (const { column_name } of cols.rows) {
        const values = await platform.owner.query(`SELECT DISTINCT "${column_name}" AS v FROM vault."${tablename}"`);
        pseudonyms.push(...values.rows.map((r) => String(r.v)));
      }
    }
    expect(pseudonyms.length).toBeGreaterThan(world.patients.length);
    expect(pseudonyms.every((p) => /^[0-9a-f]{64}$/.test(p))).toBe(true);
    return [...raw, ...pseudonyms];
  }

  function leaks(haystack: string, needles: string[]): string[] {
    return needles.filter((n) => haystack.includes(n)).slice(0, 5);
  }

  it('finds no identifier in any HTTP answer', async () => {
    expect(responses.length).toBeGreaterThan(50);
    expect(leaks(responses.join('\n'), await identifiers())).toEqual([]);
  });

  it('finds no identifier in any log line', async () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(leaks(logLines.join('\n'), await identifiers())).toEqual([]);
  });

  it('finds no identifier in any Redis key or value of the platform', async () => {
    const redis = new Redis(platform.config.redisUrl);
    const dump: string[] = [];
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${platform.queuePrefix}:*`, 'COUNT', 500);
        for (const key of keys) {
          const type = await redis.type(key);
          dump.push(key);
          if (type === 'string') dump.push(String(await redis.get(key)));
          if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
          if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
          if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        }
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    expect(dump.length).toBeGreaterThan(0);
    expect(leaks(dump.join('\n'), await identifiers())).toEqual([]);
  });

  it('finds no identifier in any table of the governance schema', async () => {
    const tables = await platform.owner.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'cadre'`);
    const dump: string[] = [];
    for (const { tablename } of tables.rows) {
      const rows = await platform.owner.query(`SELECT t::text AS row FROM cadre."${tablename}" t`);
      dump.push(...rows.rows.map((r) => String(r.row)));
    }
    expect(dump.length).toBeGreaterThan(100);
    expect(leaks(dump.join('\n'), await identifiers())).toEqual([]);
  });
});
