import { generateWorld, LinkedPerson, MIN_CELL, pseudonymOf } from '../support/dataplane-data';
import {
  activeDataplaneUseCase,
  awaitComputation,
  buildFederation,
  datasetsOf,
  Federation,
  Json,
  REFERENCE_JOIN,
  submitComputation,
  uploadCsv,
} from '../support/dataplane';
import { startTestPlatform, TestPlatform } from '../support/platform';
import { World } from '../support/world';

const PSEUDONYM_KEY = 'test-pseudonym-key-0123456789'; // startTestPlatform's CADRE_PSEUDONYM_KEY

/**
 * A researcher of the team turns against the platform with the only tool it gives them:
 * the declarative query. Every attack is refused, or answered with nothing that singles
 * anyone out; no answer carries a linkage value, a pseudonym, SQL, or a vault row.
 */
describe('attacks through the query', () => {
  const data = generateWorld();
  let platform: TestPlatform;
  let fed: Federation;
  let useCase: Json;
  let foreignDatasetId: string;
  let vaultBefore: Map<string, number>;
  const answers: string[] = [];

  /** Submits and records the answer (and the computation's final state when accepted). */
  async function attempt(query: unknown, headers: { idempotencyKey?: string } = {}) {
    const res = await submitComputation(fed, useCase.id, query, headers);
    answers.push(JSON.stringify(res.body ?? res.text));
    let computation: Json;
    if (res.status === 202) {
      computation = await awaitComputation(fed, res.body.id);
      // The query echoes the attacker's own input; everything else the platform wrote is scanned.
      const { query: _echo, ...written } = computation;
      answers.push(JSON.stringify(written));
    }
    return { status: res.status as number, body: res.body as Json, computation };
  }

  const base = () => ({ datasets: datasetsOf(fed), groupBy: ['s.incomeBand'], measures: [{ fn: 'count' }] });

  async function vaultTables(): Promise<Map<string, number>> {
    const { rows } = await platform.owner.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'vault' ORDER BY 1`);
    const counts = new Map<string, number>();
    for (const r of rows) {
      const { rows: n } = await platform.owner.query(`SELECT count(*)::int AS n FROM vault."${r.table_name}"`);
      counts.set(r.table_name, n[0].n);
    }
    return counts;
  }

  beforeAll(async () => {
    platform = await startTestPlatform();
    fed = await buildFederation(new World(platform), data);
    // The hospital grants everything but covidPositive: the use case asked for it, one contract withholds it.
    useCase = await activeDataplaneUseCase(fed, {
      conditions: { minCellSize: MIN_CELL },
      patches: [{ provider: fed.hospital, terms: { datasets: [{ datasetId: fed.patients.id, columns: ['commune', 'age', 'icuDays'] }] } }],
    });
    // Another dataset of the same hospital, loaded, but outside the use case.
    const other = await fed.world.createDataset(fed.hospital, {
      name: 'staff',
      columns: [
        { name: 'nationalId', type: 'text', role: 'linkage_key' },
        { name: 'grade', type: 'category', role: 'attribute', categories: ['a', 'b'] },
      ],
    });
    await uploadCsv(fed.world, fed.hospital, other.id, `nationalId,grade\n${data.hospital.slice(0, 30).map((p, i) => `${p.nationalId},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`);
    foreignDatasetId = other.id;
    vaultBefore = await vaultTables();
  });
  afterAll(() => platform?.close());

  describe('the linkage key, which is never usable', () => {
    const target = () => data.linked[0].nationalId;
    it.each([
      ['group by it', () => ({ ...base(), groupBy: ['h.nationalId'] })],
      ['group by the other side’s key', () => ({ ...base(), groupBy: ['s.nationalId'] })],
      ['filter on it with a raw value', () => ({ ...base(), where: [{ column: 'h.nationalId', op: 'eq', value: target() }] })],
      ['filter on it with a pseudonym', () => ({ ...base(), where: [{ column: 's.nationalId', op: 'in', value: [pseudonymOf(PSEUDONYM_KEY, target())] }] })],
      ['measure it', () => ({ ...base(), measures: [{ fn: 'sum', column: 'h.nationalId' }] })],
      ['join on it', () => ({ ...base(), join: [{ left: 'h.nationalId', right: 's.nationalId' }] })],
      ['join it to the reference table', () => ({ ...base(), datasets: datasetsOf(fed, true), join: [{ left: 'h.nationalId', right: 'r.code' }] })],
    ])('refuses to %s (422 linkage_key_forbidden)', async (_, query) => {
      const res = await attempt(query());
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('linkage_key_forbidden');
    });
  });

  it('never releases a count below minCellSize for one person isolated by narrowing where clauses', async () => {
    // A person alone in the linked population on (commune, age, band, icuDays): found here, from the rows.
    const signature = (p: LinkedPerson) => `${p.commune}|${p.age}|${p.incomeBand}|${p.icuDays}`;
    const counts = new Map<string, number>();
    for (const p of data.linked) counts.set(signature(p), (counts.get(signature(p)) ?? 0) + 1);
    const victim = data.linked.find((p) => p.icuDays > 0 && counts.get(signature(p)) === 1)!;
    expect(victim).toBeDefined();
    const narrowing = [
      { column: 'h.commune', op: 'eq', value: victim.commune },
      { column: 'h.age', op: 'between', value: [victim.age, victim.age] },
      { column: 's.incomeBand', op: 'eq', value: victim.incomeBand },
      { column: 'h.icuDays', op: 'eq', value: victim.icuDays },
    ];
    const attacks = [
      { datasets: datasetsOf(fed), where: narrowing, measures: [{ fn: 'count' }, { fn: 'sum', column: 'h.icuDays' }] },
      { datasets: datasetsOf(fed), where: narrowing.slice(0, 3), groupBy: [{ column: 'h.icuDays', bins: [0, 1, 5, 10, 61] }], measures: [{ fn: 'count' }, { fn: 'mean', column: 'h.icuDays' }], totals: true },
      { datasets: datasetsOf(fed, true), join: REFERENCE_JOIN, where: narrowing, groupBy: ['r.code'], measures: [{ fn: 'count' }] },
    ];
    for (const query of attacks) {
      const { status, computation } = await attempt(query);
      expect([202, 422]).toContain(status);
      if (status !== 202) continue;
      expect(['released', 'rejected']).toContain(computation.status);
      for (const row of computation.result?.rows ?? []) {
        expect(row.suppressed).toBe(true);
        expect(row.count).toBeNull();
        expect(row['sum(h.icuDays)'] ?? null).toBeNull();
        expect(row['mean(h.icuDays)'] ?? null).toBeNull();
      }
    }
  });

  it.each(['min', 'max', 'list', 'raw', 'values', 'first', 'median', 'count_distinct'])('has no %s function (400/422)', async (fn) => {
    const res = await attempt({ ...base(), measures: [{ fn, column: 'h.icuDays' }] });
    expect([400, 422]).toContain(res.status);
  });

  it('refuses a quantile without differential privacy (422)', async () => {
    const res = await attempt({ ...base(), measures: [{ fn: 'quantile', column: 'h.age', q: 0.5 }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quantile_requires_dp');
  });

  it('refuses a column that one contract does not grant (422 column_not_granted)', async () => {
    for (const query of [
      { ...base(), groupBy: ['h.covidPositive'] },
      { ...base(), where: [{ column: 'h.covidPositive', op: 'eq', value: true }] },
    ]) {
      const res = await attempt(query);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('column_not_granted');
    }
  });

  it('refuses a dataset outside the use case, even one of the same provider (422)', async () => {
    const res = await attempt({ ...base(), datasets: [...datasetsOf(fed), { datasetId: foreignDatasetId, as: 'x' }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('dataset_not_in_use_case');
    const alone = await attempt({ datasets: [{ datasetId: foreignDatasetId, as: 'x' }], groupBy: ['x.grade'], measures: [{ fn: 'count' }] });
    expect(alone.status).toBe(422);
  });

  it('refuses a privacy mechanism other than the one the contracts bind (422)', async () => {
    const res = await attempt({ ...base(), privacy: { mechanism: 'laplace', epsilon: 0.5 } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('privacy_mechanism_mismatch');
  });

  it('answers the first computation again for a repeated Idempotency-Key, and creates only one', async () => {
    const key = 'attack-idem-1';
    const first = await submitComputation(fed, useCase.id, base(), { idempotencyKey: key });
    expect(first.status).toBe(202);
    const again = await submitComputation(fed, useCase.id, base(), { idempotencyKey: key });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const other = await submitComputation(fed, useCase.id, { ...base(), groupBy: ['h.commune'] }, { idempotencyKey: key });
    expect(other.status).toBe(409);
    const { rows } = await platform.owner.query(`SELECT count(*)::int AS n FROM cadre.computations WHERE idempotency_key = $1`, [key]);
    expect(rows[0].n).toBe(1);
    await awaitComputation(fed, first.body.id);
  });

  describe('SQL injection in every string field', () => {
    let table: string;
    const payloads = () => [
      `h.age; DROP TABLE vault."${table}"; --`,
      `' OR '1'='1' --`,
      `x") UNION SELECT "nationalId" FROM vault."${table}" --`,
      `34172'); DROP SCHEMA vault CASCADE; --`,
    ];
    beforeAll(() => {
      table = [...vaultBefore.keys()][0];
    });

    /** Bound as a value: the query ran, and what it published is what the payload-free query would publish. */
    type Published = (rows: Json[]) => void;
    const nothing: Published = (rows) => rows.forEach((row) => expect(row.count).toBeNull());
    const refusedOrBound = async (label: string, query: () => unknown, headers: { idempotencyKey?: string } = {}, published: Published = nothing) => {
      for (const payload of payloads()) {
        const q = JSON.parse(JSON.stringify(query()).split('@@').join(payload.replace(/\\/g, '\\\\').replace(/"/g, '\\"')));
        const res = await attempt(q, headers.idempotencyKey ? { idempotencyKey: payload } : {});
        const text = JSON.stringify(res.body);
        expect({ label, payload, status: [400, 404, 422, 202].includes(res.status) }).toEqual({ label, payload, status: true });
        expect(text).not.toContain(payload);
        expect(text).not.toMatch(/\b(DROP|UNION|SELECT|syntax error)\b/i);
        expect(text).not.toContain(table);
        if (res.status === 202) {
          expect({ label, status: res.computation.status }).toEqual({ label, status: expect.stringMatching(/^(released|rejected)$/) });
          published(res.computation.result?.rows ?? []);
        }
      }
    };

    it('in the dataset alias and the dataset id', async () => {
      await refusedOrBound('alias', () => ({ ...base(), datasets: [{ datasetId: fed.patients.id, as: '@@' }, { datasetId: fed.households.id, as: 's' }] }));
      await refusedOrBound('datasetId', () => ({ ...base(), datasets: [{ datasetId: '@@', as: 'h' }, { datasetId: fed.households.id, as: 's' }] }));
    });
    it('in column names (where, group-by, measures, joins)', async () => {
      await refusedOrBound('where column', () => ({ ...base(), where: [{ column: '@@', op: 'eq', value: 1 }] }));
      await refusedOrBound('groupBy', () => ({ ...base(), groupBy: ['@@'] }));
      await refusedOrBound('bins column', () => ({ ...base(), groupBy: [{ column: '@@', bins: [0, 10] }] }));
      await refusedOrBound('measure column', () => ({ ...base(), measures: [{ fn: 'sum', column: '@@' }] }));
      await refusedOrBound('join left', () => ({ ...base(), datasets: datasetsOf(fed, true), join: [{ left: '@@', right: 'r.code' }] }));
      await refusedOrBound('join right', () => ({ ...base(), datasets: datasetsOf(fed, true), join: [{ left: 'h.commune', right: '@@' }] }));
    });
    it('in where values and category values (bound as parameters)', async () => {
      await refusedOrBound('eq value', () => ({ ...base(), where: [{ column: 'h.commune', op: 'eq', value: '@@' }] }));
      const low = data.linked.filter((p) => p.incomeBand === 'low').length;
      await refusedOrBound('in values', () => ({ ...base(), where: [{ column: 's.incomeBand', op: 'in', value: ['@@', 'low'] }] }), {}, (rows) => {
        // The whole declared domain: only 'low' holds anyone; its count within the p-table's maxDeviation (2).
        expect(rows.map((r: Record<string, unknown>) => [r['s.incomeBand'], r.suppressed])).toEqual([['high', true], ['low', false], ['middle', true]]);
        expect(Math.abs((rows[1].count as number) - low)).toBeLessThanOrEqual(2);
      });
      await refusedOrBound('numeric value', () => ({ ...base(), where: [{ column: 'h.age', op: 'gte', value: '@@' }] }));
    });
    it('in bins, operators, functions, privacy and totals', async () => {
      await refusedOrBound('bins', () => ({ ...base(), groupBy: [{ column: 'h.age', bins: [0, '@@', 111] }] }));
      await refusedOrBound('op', () => ({ ...base(), where: [{ column: 'h.age', op: '@@', value: 1 }] }));
      await refusedOrBound('measure fn', () => ({ ...base(), measures: [{ fn: '@@' }] }));
      await refusedOrBound('privacy mechanism', () => ({ ...base(), privacy: { mechanism: '@@' } }));
      await refusedOrBound('totals', () => ({ ...base(), totals: '@@' }));
    });
    it('in the Idempotency-Key header', async () => {
      await refusedOrBound('Idempotency-Key', () => base(), { idempotencyKey: 'yes' });
    });
    it('in the path', async () => {
      for (const payload of payloads()) {
        const res = await fed.world.as(fed.lab.user('researcher').token).post(`/api/v1/use-cases/${encodeURIComponent(payload)}/computations`).send({ query: base() });
        expect([400, 404]).toContain(res.status);
        answers.push(JSON.stringify(res.body));
      }
    });

    it('leaves every vault table in place with every row', async () => {
      expect(await vaultTables()).toEqual(vaultBefore);
    });
  });

  it('never answered with a linkage value, a pseudonym or SQL', () => {
    const ids = new Set(data.hospital.map((p) => p.nationalId).concat(data.social.map((p) => p.nationalId)));
    const pseudonyms = new Set([...ids].map((id) => pseudonymOf(PSEUDONYM_KEY, id)));
    expect(answers.length).toBeGreaterThan(50);
    for (const answer of answers) {
      for (const token of answer.match(/\d{13}/g) ?? []) expect(ids.has(token)).toBe(false);
      for (const token of answer.match(/[0-9a-f]{64}/g) ?? []) expect(pseudonyms.has(token)).toBe(false);
      expect(answer).not.toMatch(/vault\.|\bFROM\b|\bWHERE\b/);
    }
  });
});
