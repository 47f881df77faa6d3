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

  it('keeps the 4xx status of any HTTP error, not only Nest ones (body parser, http-errors)', () => {
    expect(toProblem(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }))).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toProblem(Object.assign(new Error('unsupported charset'), { statusCode: 415 }))).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('answers a database refusal caused by input with a 400 naming the column, never the value', () => {
    const badText = Object.assign(new Error('invalid input syntax for type date: "2026-02-31 Jeanne"'), { code: '22007' });
    expect(toProblem(badText)).toMatchObject({ status: 400, code: 'invalid_input' });
    expect(JSON.stringify(toProblem(badText))).not.toContain('Jeanne');
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(toProblem(nul)).toMatchObject({ status: 400 });
    const missing = Object.assign(new Error('null value in column "title"'), { code: '23502', column: 'title' });
    expect(toProblem(missing)).toMatchObject({ status: 400, errors: [{ field: 'title' }] });
    expect(toProblem(Object.assign(new Error('duplicate key'), { code: '23505' }))).toMatchObject({ status: 409 });
  });

  it('answers an unreachable database or Redis with 503 retry', () => {
    expect(toProblem(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toMatchObject({ status: 503, code: 'retry' });
    expect(toProblem(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toMatchObject({ status: 503, code: 'retry' });
    expect(toProblem(new Error('Connection terminated unexpectedly'))).toMatchObject({ status: 503, code: 'retry' });
  });
});
