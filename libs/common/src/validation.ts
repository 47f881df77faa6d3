import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidInput } from './domain-error';

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The global validation pipe: unknown fields are refused (400) and every bad field is listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new InvalidInput(`Invalid input: ${list.map((e) => e.field).join(', ')}`, list);
    },
  });
}
