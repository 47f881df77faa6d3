import fc from 'fast-check';
import { activeUseCase } from '../support/contracts';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { createWorld, World } from '../support/world';

/**
 * A seeded fuzzer over every write route of the OpenAPI document (`/docs-json`): generated
 * malformed bodies — wrong types, NUL characters, huge or deep values, broken JSON, odd
 * media types — sent as a platform admin and as a researcher. Nothing may answer 5xx, every
 * 4xx is problem+json, and no dataset changes version. Bounded to well under a minute.
 */
const SEED = Number(process.env.CADRE_FUZZ_SEED ?? 20261201);
const RUNS_PER_ROUTE = Number(process.env.CADRE_FUZZ_RUNS ?? 15);
/** Time budget of the requests: rounds over every route stop once it is spent (a loaded machine sends fewer). */
const BUDGET_MS = Number(process.env.CADRE_FUZZ_BUDGET_MS ?? 40_000);

type Json = unknown;
interface Route {
  method: 'post' | 'patch' | 'put';
  path: string;
  fields: string[];
}

/** Values a database or a validator may choke on. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.string(),
  fc.string().map((s) => `${s}\u0000${s}`),
  fc.constantFrom('', ' ', '9999-99-99', '2026-02-31T25:61:00Z', '-infinity', 'NaN', '00000000-0000-0000-0000-000000000000', 'not-a-uuid', "'; DROP TABLE cadre.datasets; --", '\uFFFF\uD800', 'a'.repeat(5000)),
  fc.integer(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, 1e308, -1e308, 5e-324, -0, 0.1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 4 }),
);

const deep = fc.integer({ min: 20, max: 200 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as Json);

/** A body shaped like the route's schema (its own field names) with malformed values, or anything else. */
function bodyFor(route: Route): fc.Arbitrary<{ type?: string; body: Json | string }> {
  const shaped = route.fields.length
    ? fc.record(Object.fromEntries(route.fields.map((f) => [f, fc.oneof(nasty, deep)])), { requiredKeys: [] })
    : fc.dictionary(fc.string({ maxLength: 8 }), nasty, { maxKeys: 4 });
  const asJson = fc.oneof(shaped, fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3, withNullPrototype: false }).filter((v) => v !== undefined)).map((body) => ({ body: body as Json }));
  const raw = fc.record({
    type: fc.constantFrom('application/json', 'application/json; charset=latin1', 'application/json; charset=nope', 'text/plain', 'text/csv', 'application/xml', 'application/x-www-form-urlencoded'),
    body: fc.oneof(fc.string(), fc.constantFrom('{', '{"a":', '[1,2', 'null', '"\\u0000"', '{"__proto__":{"x":1}}', 'nir,age\n1,2\n', '\u0000\u0001')),
  });
  return fc.oneof({ weight: 3, arbitrary: asJson }, { weight: 1, arbitrary: raw });
}

describe('fuzzing every write route of the OpenAPI document', () => {
  let platform: TestPlatform;
  let world: World;
  let routes: Route[];
  const ids: Record<string, string> = {};
  const users: { name: string; token: string }[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    world = createWorld(platform);
    const trusted = await activeUseCase(world);
    const researcher = trusted.requester.user('researcher');
    users.push({ name: 'platform admin', token: await world.adminToken() }, { name: 'researcher', token: researcher.token });
    const one = async (sql: string) => ((await platform.owner.query(sql)).rows[0]?.id as string | undefined) ?? '00000000-0000-4000-8000-000000000000';
    Object.assign(ids, {
      organisations: trusted.requester.id,
      users: researcher.id,
      charters: await one('SELECT id FROM cadre.charters LIMIT 1'),
      datasets: trusted.datasets[0].id,
      'use-cases': trusted.useCase.id,
      contracts: await one('SELECT id FROM cadre.contracts LIMIT 1'),
    });

    const doc = (await platform.http().get('/docs-json')).body as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
      components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
    };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      (['post', 'patch', 'put'] as const)
        .filter((m) => ops[m])
        .map((method) => {
          const ref = Object.values(ops[method].requestBody?.content ?? {})[0]?.schema?.$ref;
          const schema = ref ? doc.components?.schemas?.[ref.split('/').pop()!] : undefined;
          return { method, path, fields: Object.keys(schema?.properties ?? {}) };
        }),
    );
  });
  afterAll(() => platform?.close());

  /** Path parameters get real ids where one exists (so the body is what is tested), a random one otherwise. */
  const urlOf = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_, _name, offset: number) => {
      const segment = path.slice(0, offset).split('/').filter(Boolean).pop() ?? '';
      return ids[segment] ?? '00000000-0000-4000-8000-000000000001';
    });

  const versions = async () => (await platform.owner.query('SELECT id, current_version_id, version_seq FROM cadre.datasets ORDER BY id')).rows;

  it('finds the write routes in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it('never answers 5xx, answers every 4xx as problem+json, and changes no dataset version', async () => {
    const before = await versions();
    const failures: string[] = [];
    const started = Date.now();
    const samples = routes.map((route, r) => users.map((_, u) => fc.sample(bodyFor(route), { seed: SEED + r * 31 + u, numRuns: RUNS_PER_ROUTE })));
    let rounds = 0;
    // Round-robin: every route gets the same number of bodies, whatever the budget allows.
    for (let run = 0; run < RUNS_PER_ROUTE && Date.now() - started < BUDGET_MS; run++, rounds++) {
      for (const [r, route] of routes.entries()) {
        for (const [u, user] of users.entries()) {
          const sample = samples[r][u][run];
          let req = platform.http()[route.method](urlOf(route.path)).set('Authorization', `Bearer ${user.token}`);
          if (sample.type) req = req.set('Content-Type', sample.type).send(sample.body as string);
          else req = req.set('Content-Type', 'application/json').send(JSON.stringify(sample.body ?? null));
          const res = await req;
          const type = String(res.headers['content-type'] ?? '');
          if (res.status >= 500 || (res.status >= 400 && !type.startsWith('application/problem+json'))) {
            failures.push(`${route.method.toUpperCase()} ${route.path} as ${user.name} → ${res.status} ${type} ${res.text.slice(0, 160)} (body ${JSON.stringify(sample).slice(0, 160)})`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Even on a loaded machine, every route got several malformed bodies from each user.
    expect(rounds).toBeGreaterThanOrEqual(Math.min(RUNS_PER_ROUTE, 3));
    expect(await versions()).toEqual(before);
  });
});
