import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { InvalidInput } from '@cadre/common';
import { ComputationQueryDto, FilterOp, FilterScalar, MeasureFn, Mechanism, RateOf } from './computation-query.dto';

/** The stored, normalised form of a query: plain JSON, every optional part made explicit. */
export interface ComputationQuery {
  datasets: { datasetId: string; as: string }[];
  where: { column: string; op: FilterOp; value: FilterScalar | FilterScalar[] }[];
  groupBy: (string | { column: string; bins: number[] })[];
  measures: { fn: MeasureFn; column?: string; q?: number; of?: RateOf; per?: string; scale?: number }[];
  join: { left: string; right: string }[];
  totals: boolean;
  privacy: { mechanism: Mechanism; epsilon?: number; delta?: number };
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Validates a plain query exactly as the HTTP pipe does (unknown fields refused) and
 * returns its normal form. Used for stored queries too, so nothing unvalidated is planned.
 */
export function parseQuery(plain: unknown): ComputationQuery {
  if (!plain || typeof plain !== 'object' || Array.isArray(plain)) throw new InvalidInput('Invalid input: query', [{ field: 'query', message: 'query must be an object' }]);
  const dto = plainToInstance(ComputationQueryDto, plain);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const list = flatten(errors, 'query');
    throw new InvalidInput(`Invalid input: ${list.map((e) => e.field).join(', ')}`, list);
  }
  return normaliseQuery(dto);
}

/** Copies only the declared fields of a validated DTO, in a stable order. */
export function normaliseQuery(dto: ComputationQueryDto): ComputationQuery {
  return {
    datasets: dto.datasets.map((d) => ({ datasetId: d.datasetId.toLowerCase(), as: d.as })),
    where: (dto.where ?? []).map((f) => ({ column: f.column, op: f.op, value: Array.isArray(f.value) ? [...f.value] : f.value })),
    groupBy: (dto.groupBy ?? []).map((g) => (typeof g === 'string' ? g : { column: g.column, bins: [...g.bins] })),
    measures: dto.measures.map((m) => ({
      fn: m.fn,
      ...(m.column !== undefined ? { column: m.column } : {}),
      ...(m.q !== undefined ? { q: m.q } : {}),
      // A mean per person is the default: `per: "person"` normalises away.
      ...(m.fn === 'mean' && m.per === 'row' ? { per: 'row' } : {}),
      ...(m.fn === 'rate' ? { of: m.of === 'count' ? 'count' : { sum: (m.of as { sum: string }).sum }, per: m.per, scale: m.scale ?? 1 } : {}),
    })),
    join: (dto.join ?? []).map((j) => ({ left: j.left, right: j.right })),
    totals: dto.totals ?? false,
    privacy: dto.privacy
      ? {
          mechanism: dto.privacy.mechanism,
          ...(dto.privacy.epsilon !== undefined ? { epsilon: dto.privacy.epsilon } : {}),
          ...(dto.privacy.delta !== undefined ? { delta: dto.privacy.delta } : {}),
        }
      : { mechanism: 'none' },
  };
}
