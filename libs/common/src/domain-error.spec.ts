import { DomainError, ERROR_CODE_LIST, ERROR_CODES, Forbidden, PolicyViolation, Unauthenticated } from './domain-error';
import { toProblem } from './problem.filter';

describe('DomainError codes: one closed list, one mapping', () => {
  it('derives the kind (so the status) from the code, never from the class', () => {
    expect(new PolicyViolation('differencing_risk', 'd').kind).toBe('policy');
    expect(toProblem(new Forbidden('d', 'recused')).status).toBe(403);
    expect(toProblem(new Unauthenticated('d', 'invalid_credentials')).status).toBe(401);
    class Taken extends DomainError {
      readonly code = 'email_taken';
    }
    expect(toProblem(new Taken('d'))).toMatchObject({ status: 409, code: 'email_taken', type: 'urn:cadre:problem:email_taken' });
  });

  it('maps every listed code to a status the ProblemFilter answers (no 500 for a known code)', () => {
    for (const code of ERROR_CODE_LIST) {
      class Probe extends DomainError {
        readonly code = code;
      }
      const status = toProblem(new Probe('d')).status;
      expect([400, 401, 403, 404, 409, 422, 503]).toContain(status);
    }
    expect(ERROR_CODE_LIST).toHaveLength(Object.keys(ERROR_CODES).length);
  });

  it('refuses, at compile time, a code outside the list or of another kind (tsc checks the expectations below)', () => {
    // @ts-expect-error -- not a code of ERROR_CODES
    const unknown = new PolicyViolation('made_up_code', 'd');
    // @ts-expect-error -- a conflict code is not a policy code
    const wrongKind = new PolicyViolation('email_taken', 'd');
    // @ts-expect-error -- a policy code is not a forbidden code
    const notForbidden = new Forbidden('d', 'differencing_risk');
    class Unmapped extends DomainError {
      // @ts-expect-error -- a subclass cannot carry an unmapped code either
      readonly code = 'not_in_the_list';
    }
    // At run time an unmapped code has no kind: the filter refuses to guess a status.
    expect(unknown.kind).toBeUndefined();
    expect(() => toProblem(new Unmapped('d'))).toThrow(/unmapped domain error kind/);
    expect([wrongKind.kind, notForbidden.kind]).toEqual(['conflict', 'policy']);
  });
});
