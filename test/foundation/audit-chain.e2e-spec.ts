import { createHash, createHmac, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { compactVerify, createLocalJWKSet } from 'jose';
import { DataSource } from 'typeorm';
import { AuditService } from '@cadre/audit';
import { UsersService } from '@cadre/identity';
import { insertOrganisation, login } from '../support/identity';
import { ADMIN, startTestPlatform, TestPlatform } from '../support/platform';

interface Row {
  seq: string;
  at: Date;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  organisation_ids: string[];
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** The test's own reading of the chain rule, independent of the code under test: HMAC-SHA-256 keyed with CADRE_AUDIT_KEY. */
function expectedHash(r: Row, key: string): string {
  const event = {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    organisationIds: r.organisation_ids,
    data: r.data,
    prevHash: r.prev_hash,
  };
  return createHmac('sha256', key).update(r.prev_hash + canonicalize(event)).digest('hex');
}

describe('the audit log: append-only and hash-chained', () => {
  let platform: TestPlatform;
  let audit: AuditService;
  let dataSource: DataSource;
  let adminToken: string;

  const append = (event: Partial<Parameters<AuditService['append']>[1]> = {}) =>
    dataSource.transaction((em) => audit.append(em, { actorId: null, action: 'probe.recorded', subjectType: 'Probe', subjectId: randomUUID(), ...event }));
  /** The chain as stored, once every committed event is linked (events are written unchained and linked right after). */
  const rows = async () => {
    await audit.flush();
    return (await platform.owner.query<Row>('SELECT * FROM cadre.audit_events ORDER BY seq')).rows;
  };
  /** A superuser edit with the append-only trigger disabled: the attack the chain must reveal. */
  const tamper = async (sql: string, params: unknown[]) => {
    await platform.owner.query('ALTER TABLE cadre.audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await platform.owner.query(sql, params);
    } finally {
      await platform.owner.query('ALTER TABLE cadre.audit_events ENABLE TRIGGER audit_events_append_only');
    }
  };
  const verification = () => platform.http().get('/api/v1/audit/verification').set('Authorization', `Bearer ${adminToken}`);

  beforeAll(async () => {
    // The published head is signed afresh on every request here (the default waits CADRE_AUDIT_HEAD_MAX_AGE seconds).
    platform = await startTestPlatform({ env: { CADRE_AUDIT_HEAD_MAX_AGE: '0' } });
    audit = platform.app.get(AuditService, { strict: false });
    dataSource = platform.app.get(DataSource);
    adminToken = (await login(platform, ADMIN.email, ADMIN.password)).accessToken;
  });
  afterAll(() => platform.close());

  it('stays one linear chain after 100 concurrent appends, each in its own transaction', async () => {
    const before = (await rows()).length;
    await Promise.all(Array.from({ length: 100 }, (_, i) => append({ data: { i } })));
    const all = await rows();
    expect(all).toHaveLength(before + 100);
    all.forEach((r, i) => {
      expect(Number(r.seq)).toBe(i + 1);
      expect(r.prev_hash).toBe(i === 0 ? '0'.repeat(64) : all[i - 1].hash);
      expect(r.hash).toBe(expectedHash(r, platform.config.auditKey));
    });
    expect(new Set(all.slice(before).map((r) => r.data.i))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => i)));

    const res = await verification();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, events: all.length, headHash: all[all.length - 1].hash });
    expect(Date.parse(res.body.checkedAt)).not.toBeNaN();
  });

  it('links committed events into the chain by itself, right after commit, without a reader asking', async () => {
    const subjectId = randomUUID();
    await append({ subjectId });
    let linked: { seq: string | null }[] = [];
    for (let i = 0; i < 40 && !linked[0]?.seq; i++) {
      linked = (await platform.owner.query('SELECT seq FROM cadre.audit_events WHERE subject_id = $1', [subjectId])).rows;
      if (!linked[0]?.seq) await new Promise((r) => setTimeout(r, 50));
    }
    expect(linked).toHaveLength(1);
    expect(Number(linked[0].seq)).toBeGreaterThan(0);
  });

  it('chains an event whose process stopped between its commit and its link (any process takes it on its sweep)', async () => {
    const subjectId = randomUUID();
    // As a crashed writer leaves it: committed, unchained, and no process told to link it.
    await platform.owner.query(`INSERT INTO cadre.audit_events (at, action, subject_type, subject_id) VALUES (now(), 'probe.orphaned', 'Probe', $1)`, [subjectId]);
    let seq: string | null = null;
    for (let i = 0; i < 60 && !seq; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seq = (await platform.owner.query('SELECT seq FROM cadre.audit_events WHERE subject_id = $1', [subjectId])).rows[0].seq;
    }
    expect(Number(seq)).toBeGreaterThan(0);
    const all = await rows();
    const at = all.findIndex((r) => r.subject_id === subjectId);
    expect(all[at].prev_hash).toBe(all[at - 1].hash);
    expect((await verification()).body).toMatchObject({ valid: true, events: all.length });
  });

  it('lets only the appender, holding the chain lock, fill the link of a pending event, once', async () => {
    const subjectId = randomUUID();
    const pendingLink = `UPDATE cadre.audit_events SET seq = 999999, prev_hash = repeat('0', 64), hash = repeat('1', 64) WHERE subject_id = $1`;
    // Held open so that no appender links the row before the attempts below.
    const holder = await dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`INSERT INTO cadre.audit_events (at, action, subject_type, subject_id) VALUES (now(), 'probe.pending', 'Probe', $1)`, [subjectId]);
      // The API role, without the lock: refused by the trigger.
      await expect(holder.query(`SAVEPOINT s; ${pendingLink.replace('$1', `'${subjectId}'`)}`)).rejects.toThrow(/append-only/);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    const all = await rows();
    // A linked event: even its chain columns are refused now, with or without the lock.
    await expect(platform.owner.query(`UPDATE cadre.audit_events SET hash = repeat('2', 64) WHERE seq = $1`, [all[0].seq])).rejects.toThrow(/append-only/);
    await expect(
      dataSource.transaction(async (em) => {
        await em.query('SELECT pg_advisory_xact_lock(727274003)');
        await em.query(`UPDATE cadre.audit_events SET hash = repeat('2', 64) WHERE seq = $1`, [all[0].seq]);
      }),
    ).rejects.toThrow(/append-only/);
    expect((await verification()).body.valid).toBe(true);
  });

  it('refuses to append outside a transaction (the event would not share the fate of the change)', async () => {
    await expect(audit.append(dataSource.manager, { actorId: null, action: 'probe.recorded', subjectType: 'Probe', subjectId: 'x' })).rejects.toThrow(
      /inside the transaction/,
    );
  });

  it('leaves no event behind when the state change rolls back', async () => {
    const subjectId = randomUUID();
    await expect(
      dataSource.transaction(async (em) => {
        await audit.append(em, { actorId: null, action: 'probe.recorded', subjectType: 'Probe', subjectId });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const { rows: left } = await platform.owner.query('SELECT 1 FROM cadre.audit_events WHERE subject_id = $1', [subjectId]);
    expect(left).toHaveLength(0);
    expect((await verification()).body.valid).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the API role', async () => {
    await expect(dataSource.query(`UPDATE cadre.audit_events SET action = 'nothing.happened' WHERE seq = 1`)).rejects.toThrow(/permission denied/);
    await expect(dataSource.query(`DELETE FROM cadre.audit_events WHERE seq = 1`)).rejects.toThrow(/permission denied/);
    await expect(dataSource.query(`TRUNCATE cadre.audit_events`)).rejects.toThrow(/permission denied/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE even to a superuser while the trigger is on', async () => {
    await expect(platform.owner.query(`UPDATE cadre.audit_events SET action = 'nothing.happened' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(platform.owner.query(`DELETE FROM cadre.audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(platform.owner.query(`TRUNCATE cadre.audit_events`)).rejects.toThrow(/append-only/);
    await expect(platform.owner.query(`DELETE FROM cadre.audit_checkpoints`)).rejects.toThrow(/append-only/);
    expect((await verification()).body.valid).toBe(true);
  });

  it('reports the chain broken at the right seq after a superuser edits one event', async () => {
    const all = await rows();
    const victim = all[Math.floor(all.length / 2)];
    await tamper(`UPDATE cadre.audit_events SET data = '{"i": -1}' WHERE seq = $1`, [victim.seq]);
    try {
      const res = await verification();
      expect(res.body).toMatchObject({ valid: false, brokenAtSeq: Number(victim.seq), reason: 'hash_mismatch' });
    } finally {
      await tamper(`UPDATE cadre.audit_events SET data = $2 WHERE seq = $1`, [victim.seq, JSON.stringify(victim.data)]);
    }
    expect((await verification()).body.valid).toBe(true);
  });

  it('reports the chain broken at the missing seq after a superuser deletes one event', async () => {
    const all = await rows();
    const victim = all[10];
    await tamper(`DELETE FROM cadre.audit_events WHERE seq = $1`, [victim.seq]);
    try {
      const res = await verification();
      expect(res.body).toMatchObject({ valid: false, brokenAtSeq: Number(victim.seq), reason: 'seq_gap' });
    } finally {
      await tamper(
        `INSERT INTO cadre.audit_events (seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [victim.seq, victim.at, victim.actor_id, victim.action, victim.subject_type, victim.subject_id, victim.organisation_ids, victim.data, victim.prev_hash, victim.hash],
      );
    }
    expect((await verification()).body.valid).toBe(true);
  });

  describe('signed checkpoints (written by the worker on its schedule)', () => {
    const waitForCheckpointAtHead = async () => {
      for (let i = 0; i < 60; i++) {
        const res = await verification();
        const head = (await rows()).at(-1)!;
        if (res.body.checkpoint?.seq === Number(head.seq)) return res.body;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('no checkpoint of the head was written');
    };

    it('signs the chain head with a platform key anyone can verify offline with the JWKS', async () => {
      await append({ action: 'probe.checkpointed' });
      const body = await waitForCheckpointAtHead();
      const head = (await rows()).at(-1)!;
      expect(body).toMatchObject({ valid: true, checkpoint: { seq: Number(head.seq), headHash: head.hash, signatureValid: true } });

      const jwks = await platform.http().get('/.well-known/jwks.json');
      const { payload } = await compactVerify(body.checkpoint.jws, createLocalJWKSet(jwks.body));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ type: 'cadre.audit.checkpoint', seq: Number(head.seq), headHash: head.hash });
    });

    it('catches the deletion of the last events, which the chain alone cannot see', async () => {
      await append({ action: 'probe.tail' });
      await waitForCheckpointAtHead();
      const head = (await rows()).at(-1)!;
      await tamper(`DELETE FROM cadre.audit_events WHERE seq = $1`, [head.seq]);
      try {
        const res = await verification();
        expect(res.body).toMatchObject({ valid: false, brokenAtSeq: Number(head.seq), reason: 'truncated' });
      } finally {
        await tamper(
          `INSERT INTO cadre.audit_events (seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [head.seq, head.at, head.actor_id, head.action, head.subject_type, head.subject_id, head.organisation_ids, head.data, head.prev_hash, head.hash],
        );
      }
      expect((await verification()).body.valid).toBe(true);
    });
  });

  describe('attacks by a database superuser, against the keyed chain and the published head', () => {
    const restore = (gone: Row[]) =>
      tamper(
        `INSERT INTO cadre.audit_events (seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, prev_hash, hash)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, at timestamptz, actor_id uuid, action text, subject_type text, subject_id text, organisation_ids uuid[], data jsonb, prev_hash text, hash text)`,
        [JSON.stringify(gone)],
      );

    it('publishes a signed head anyone can fetch without a token and verify with the JWKS', async () => {
      await append({ action: 'probe.published' });
      const res = await platform.http().get('/api/v1/register/audit-head');
      expect(res.status).toBe(200);
      const head = (await rows()).at(-1)!;
      expect(res.body).toEqual({ seq: Number(head.seq), headHash: head.hash, at: expect.any(String), signature: expect.any(String) });
      const jwks = await platform.http().get('/.well-known/jwks.json');
      const { payload } = await compactVerify(res.body.signature, createLocalJWKSet(jwks.body));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ type: 'cadre.audit.checkpoint', seq: res.body.seq, headHash: res.body.headHash });
    });

    it('reports the chain truncated when the newest events AND the newest checkpoints are deleted, below the published head', async () => {
      for (let i = 0; i < 3; i++) await append({ action: 'probe.before-truncation' });
      const published = (await platform.http().get('/api/v1/register/audit-head')).body;
      const all = await rows();
      expect(published.seq).toBe(Number(all.at(-1)!.seq));
      const keep = published.seq - 3;
      const gone = all.filter((r) => Number(r.seq) > keep);
      const goneCheckpoints = (await platform.owner.query('SELECT * FROM cadre.audit_checkpoints WHERE seq > $1', [keep])).rows;
      await tamper(`DELETE FROM cadre.audit_events WHERE seq > $1`, [keep]);
      try {
        await platform.owner.query('ALTER TABLE cadre.audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only');
        await platform.owner.query('DELETE FROM cadre.audit_checkpoints WHERE seq > $1', [keep]);
        await platform.owner.query('ALTER TABLE cadre.audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only');
        const res = await verification();
        expect(res.body).toMatchObject({ valid: false, brokenAtSeq: keep + 1, reason: 'truncated' });
      } finally {
        await restore(gone);
        for (const c of goneCheckpoints) {
          await platform.owner.query('INSERT INTO cadre.audit_checkpoints (seq, head_hash, jws, at) VALUES ($1, $2, $3, $4)', [c.seq, c.head_hash, c.jws, c.at]);
        }
      }
      expect((await verification()).body.valid).toBe(true);
    });

    it('refuses an event a superuser appends with a well-formed but unkeyed hash (SHA-256 of the chain rule)', async () => {
      const head = (await rows()).at(-1)!;
      const forged: Row = {
        seq: String(Number(head.seq) + 1),
        at: new Date(),
        actor_id: null,
        action: 'organisation.updated',
        subject_type: 'Organisation',
        subject_id: randomUUID(),
        organisation_ids: [],
        data: { status: 'active' },
        prev_hash: head.hash,
        hash: '',
      };
      const event = {
        seq: Number(forged.seq),
        at: forged.at.toISOString(),
        actorId: null,
        action: forged.action,
        subjectType: forged.subject_type,
        subjectId: forged.subject_id,
        organisationIds: [],
        data: forged.data,
        prevHash: head.hash,
      };
      forged.hash = createHash('sha256').update(head.hash + canonicalize(event)).digest('hex');
      await platform.owner.query(
        `INSERT INTO cadre.audit_events (seq, at, actor_id, action, subject_type, subject_id, organisation_ids, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [forged.seq, forged.at, null, forged.action, forged.subject_type, forged.subject_id, [], forged.data, forged.prev_hash, forged.hash],
      );
      try {
        expect((await verification()).body).toMatchObject({ valid: false, brokenAtSeq: Number(forged.seq), reason: 'hash_mismatch' });
      } finally {
        await tamper('DELETE FROM cadre.audit_events WHERE seq = $1', [forged.seq]);
      }
    });
  });

  describe('GET /api/v1/audit/events', () => {
    let orgA: string;
    let orgB: string;
    let orgAdminA: string;
    let researcherA: string;

    const user = async (organisationId: string, roles: ('org_admin' | 'researcher')[]) => {
      const email = `u-${randomUUID()}@cadre.test`;
      const password = `pw-${randomUUID()}`;
      await dataSource.transaction((em) => platform.app.get(UsersService, { strict: false }).create(em, { email, password, displayName: email, organisationId, roles }));
      return (await login(platform, email, password)).accessToken;
    };
    const events = (token: string, query = '') => platform.http().get(`/api/v1/audit/events${query}`).set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      orgA = await insertOrganisation(platform);
      orgB = await insertOrganisation(platform);
      orgAdminA = await user(orgA, ['org_admin']);
      researcherA = await user(orgA, ['researcher']);
      await append({ subjectType: 'Scoped', subjectId: 'only-a', organisationIds: [orgA] });
      await append({ subjectType: 'Scoped', subjectId: 'only-b', organisationIds: [orgB] });
      await append({ subjectType: 'Scoped', subjectId: 'a-and-b', organisationIds: [orgB, orgA] });
      await append({ subjectType: 'Scoped', subjectId: 'platform' });
    });

    it('gives a platform admin every event, filtered by subject, in seq order, with the chain fields', async () => {
      const res = await events(adminToken, '?subjectType=Scoped&limit=10');
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(4);
      expect(res.body.items.map((e: { subjectId: string }) => e.subjectId)).toEqual(['only-a', 'only-b', 'a-and-b', 'platform']);
      const first = res.body.items[0];
      expect(Object.keys(first)).toEqual(expect.arrayContaining(['seq', 'at', 'actorId', 'action', 'subjectType', 'subjectId', 'data', 'hash', 'prevHash']));
      expect(res.body.items[1].prevHash).toBe(first.hash);

      const one = await events(adminToken, '?subjectType=Scoped&subjectId=a-and-b');
      expect(one.body).toMatchObject({ total: 1, items: [{ subjectId: 'a-and-b' }] });
      const page = await events(adminToken, '?subjectType=Scoped&limit=2&offset=2');
      expect(page.body.total).toBe(4);
      expect(page.body.items.map((e: { subjectId: string }) => e.subjectId)).toEqual(['a-and-b', 'platform']);
    });

    it("gives an org_admin only the events touching its own organisation", async () => {
      const res = await events(orgAdminA, '?subjectType=Scoped');
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { subjectId: string }) => e.subjectId).sort()).toEqual(['a-and-b', 'only-a']);
      expect(res.body.total).toBe(2);
      // Asking for another organisation's subject by id yields nothing, not a leak.
      expect((await events(orgAdminA, '?subjectType=Scoped&subjectId=only-b')).body).toEqual({ items: [], total: 0 });
    });

    it('refuses a researcher (403), an org_admin the verification (403), and anonymous callers (401)', async () => {
      expect((await events(researcherA)).status).toBe(403);
      expect((await platform.http().get('/api/v1/audit/verification').set('Authorization', `Bearer ${orgAdminA}`)).status).toBe(403);
      expect((await platform.http().get('/api/v1/audit/events')).status).toBe(401);
      expect((await platform.http().get('/api/v1/audit/verification')).status).toBe(401);
    });

    it('refuses unknown query fields and out-of-range paging (400)', async () => {
      expect((await events(adminToken, '?actorId=x')).status).toBe(400);
      expect((await events(adminToken, '?limit=1000')).status).toBe(400);
    });
  });
});
