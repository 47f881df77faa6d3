import { BadRequestException } from '@nestjs/common';
import { NotFound, PolicyViolation, WrongState } from './domain-error';
import { toProblem } from './problem.filter';

describe('toProblem', () => {
  it('maps each domain error kind to its status with its stable code', () => {
    expect(toProblem(new NotFound('Use case'))).toMatchObject({ status: 404, code: 'not_found', type: 'urn:cadre:problem:not_found' });
    expect(toProblem(new WrongState('Use case', 'draft', 'vote'))).toMatchObject({ status: 409, code: 'wrong_state' });
    expect(toProblem(new PolicyViolation('differencing_risk', 'too close'))).toMatchObject({ status: 422, code: 'differencing_risk' });
  });

  it('never repeats the message of an unknown error: a driver message can quote a value', () => {
    const body = toProblem(new Error('invalid input syntax for type integer: "1850375123456"'));
    expect(body).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(body)).not.toContain('1850375123456');
  });

  it('answers a deadlock or serialisation failure with a retryable 503', () => {
    expect(toProblem(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toMatchObject({ status: 503, code: 'retry' });
    expect(toProblem(Object.assign(new Error('could not serialize'), { code: '40001' }))).toMatchObject({ status: 503, code: 'retry' });
  });

  it('keeps framework errors as they are', () => {
    expect(toProblem(new BadRequestException('Unexpected token in JSON'))).toMatchObject({ status: 400, code: 'invalid_input' });
  });
});
