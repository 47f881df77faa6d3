import { DataSource, EntityManager } from 'typeorm';
import { queryReturning, returningRows } from './returning';

/** The shared test server (README: CADRE_TEST_PG); only a session's temporary table is touched. */
const PG_SERVER = process.env.CADRE_TEST_PG ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432`;

describe('queryReturning, against real PostgreSQL through TypeORM', () => {
  let db: DataSource;
  let em: EntityManager;
  let release: () => Promise<void>;

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: `${PG_SERVER}/postgres`, poolSize: 2 }).initialize();
    // One connection for the whole suite, so that the temporary table stays visible.
    const runner = db.createQueryRunner();
    await runner.connect();
    em = runner.manager;
    release = () => runner.release();
    await em.query(`CREATE TEMP TABLE returning_probe (id int PRIMARY KEY, n int NOT NULL)`);
  });
  beforeEach(() => em.query(`TRUNCATE returning_probe`));
  afterAll(async () => {
    await release();
    await db.destroy();
  });

  it('unwraps the [rows, count] TypeORM answers for UPDATE … RETURNING', async () => {
    await em.query(`INSERT INTO returning_probe VALUES (1, 10), (2, 20), (3, 30)`);
    const raw = await em.query(`UPDATE returning_probe SET n = n + 1 WHERE id < 3 RETURNING id, n`);
    expect(raw).toEqual([expect.any(Array), 2]); // the shape the helper exists for
    const rows = await queryReturning<{ id: number; n: number }>(em, `UPDATE returning_probe SET n = n + 1 WHERE id < $1 RETURNING id, n`, [3]);
    expect(rows.sort((a, b) => a.id - b.id)).toEqual([{ id: 1, n: 12 }, { id: 2, n: 22 }]);
  });

  it('answers no rows for an UPDATE that matched nothing', async () => {
    expect(await queryReturning(em, `UPDATE returning_probe SET n = 0 WHERE id = $1 RETURNING id`, [99])).toEqual([]);
  });

  it('unwraps DELETE … RETURNING, and an UPDATE behind a CTE', async () => {
    await em.query(`INSERT INTO returning_probe VALUES (1, 10), (2, 20)`);
    const cte = await queryReturning<{ id: number }>(em, `WITH due AS (SELECT id FROM returning_probe WHERE n = 20) UPDATE returning_probe p SET n = 21 FROM due WHERE p.id = due.id RETURNING p.id`);
    expect(cte).toEqual([{ id: 2 }]);
    expect(await queryReturning<{ id: number }>(em, `DELETE FROM returning_probe WHERE id = 1 RETURNING id`)).toEqual([{ id: 1 }]);
  });

  it('passes through the plain rows of INSERT … RETURNING and SELECT', async () => {
    expect(await queryReturning<{ id: number }>(em, `INSERT INTO returning_probe VALUES (5, 50), (6, 60) RETURNING id`)).toEqual([{ id: 5 }, { id: 6 }]);
    expect(await queryReturning<{ id: number }>(em, `SELECT id FROM returning_probe ORDER BY id`)).toEqual([{ id: 5 }, { id: 6 }]);
    // Exactly two rows must not be mistaken for the [rows, count] pair.
    expect(await queryReturning<{ n: number }>(em, `SELECT n FROM returning_probe ORDER BY id`)).toEqual([{ n: 50 }, { n: 60 }]);
  });

  it('runs through a DataSource as well as an EntityManager', async () => {
    const rows = await queryReturning<{ one: number }>(db, `SELECT 1 AS one`);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('returningRows answers [] for a result without rows', () => {
    expect(returningRows(undefined)).toEqual([]);
    expect(returningRows([[], 0])).toEqual([]);
  });
});
