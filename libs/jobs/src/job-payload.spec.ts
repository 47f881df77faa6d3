import { randomUUID } from 'node:crypto';
import { assertJobPayload, InvalidJobPayload } from './job-payload';

describe('job payloads carry ids only', () => {
  const id = randomUUID();

  it('accepts exactly the declared ids and normalises their case', () => {
    expect(assertJobPayload('run-computation', { computationId: id.toUpperCase() })).toEqual({ computationId: id });
  });

  it('refuses a value smuggled in place of an id, without echoing it', () => {
    const attempt = () => assertJobPayload('run-computation', { computationId: 'Jeanne Dupont, 1 rue de la Paix' });
    expect(attempt).toThrow(InvalidJobPayload);
    expect(attempt).toThrow(/computationId/);
    expect(attempt).not.toThrow(/Jeanne|Dupont|Paix/);
  });

  it('refuses an extra key, a missing key, a nested object and a non-object', () => {
    expect(() => assertJobPayload('run-computation', { computationId: id, rows: [1, 2] } as never)).toThrow(InvalidJobPayload);
    expect(() => assertJobPayload('run-computation', {} as never)).toThrow(InvalidJobPayload);
    expect(() => assertJobPayload('run-computation', { computationId: { id } } as never)).toThrow(InvalidJobPayload);
    expect(() => assertJobPayload('run-computation', [id] as never)).toThrow(InvalidJobPayload);
    expect(() => assertJobPayload('run-computation', null as never)).toThrow(InvalidJobPayload);
  });

  it('gives a periodic job an empty payload and nothing else', () => {
    expect(assertJobPayload('outbox-sweep', {})).toEqual({});
    expect(() => assertJobPayload('outbox-sweep', { since: id } as never)).toThrow(InvalidJobPayload);
  });

  it('refuses an undeclared job name', () => {
    expect(() => assertJobPayload('drop-vault' as never, {} as never)).toThrow(InvalidJobPayload);
  });
});
