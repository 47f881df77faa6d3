import { isTransientError } from './transient';

describe('isTransientError', () => {
  const err = (message: string, props: object = {}) => Object.assign(new Error(message), props);

  it('recognises an unreachable or restarting database or Redis', () => {
    expect(isTransientError(err('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(err('terminating connection due to administrator command', { code: '57P01' }))).toBe(true);
    expect(isTransientError(err('the database system is starting up', { code: '57P03' }))).toBe(true);
    expect(isTransientError(err('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(err('wrapped', { driverError: err('x', { code: '08006' }) }))).toBe(true);
    expect(isTransientError(err('Connection is closed.'))).toBe(true);
  });

  it('does not mistake an error of the query or of the input for one', () => {
    expect(isTransientError(err('canceling statement due to statement timeout', { code: '57014' }))).toBe(false);
    expect(isTransientError(err('invalid input syntax for type integer', { code: '22P02' }))).toBe(false);
    expect(isTransientError(err('duplicate key value', { code: '23505' }))).toBe(false);
    expect(isTransientError(new TypeError("Cannot read properties of undefined (reading 'map')"))).toBe(false);
    expect(isTransientError(null)).toBe(false);
  });
});
