import { prepared, preparedRows, runPrepared } from './prepared';

describe('prepared statements', () => {
  it('names a statement after its text: one text, one name; two texts, two names; within PostgreSQL’s 63 bytes', () => {
    const a = prepared('SELECT id FROM cadre.use_cases WHERE id = $1');
    expect(prepared('SELECT id FROM cadre.use_cases WHERE id = $1').name).toBe(a.name);
    expect(prepared('SELECT id FROM cadre.use_cases WHERE id = $1 FOR SHARE').name).not.toBe(a.name);
    expect(Buffer.byteLength(a.name)).toBeLessThanOrEqual(63);
  });

  it('hands node-postgres a { name, text } config with the values, and answers the rows of any command', async () => {
    const calls: unknown[][] = [];
    const runner = { query: async (...args: unknown[]) => (calls.push(args), [[{ id: 'x' }], 1]) };
    const statement = prepared('UPDATE cadre.outbox SET attempts = attempts + 1 WHERE id = $1 RETURNING id');
    expect(await preparedRows(runner, statement, ['x'])).toEqual([{ id: 'x' }]);
    expect(await runPrepared(runner, statement, ['x'])).toEqual([[{ id: 'x' }], 1]);
    expect(calls[0]).toEqual([{ name: statement.name, text: statement.text }, ['x']]);
  });
});
