import { rulesToCondition } from '@casl/ability/extra';
import type { Action, AppAbility, SubjectFields, SubjectType } from './subjects';

/**
 * How a subject field reads in SQL: a scalar column (`'uc.organisation_id'`), an array
 * column (`{ array: 'uc.team_user_ids' }`), or, for a list that lives in another table,
 * a function building "the list contains :param" (`{ contains: (p) => \`EXISTS (… = ${p})\` }`).
 */
export type FieldSql = string | { array: string } | { contains: (param: string) => string };
export type FieldMap<S extends SubjectType> = { [K in keyof SubjectFields[S]]?: FieldSql };

export interface SqlCondition {
  /** A boolean SQL expression with TypeORM named parameters (`:name`). */
  where: string;
  parameters: Record<string, unknown>;
}

let counter = 0;

/**
 * The actor's visibility on a subject as a SQL condition, so that list and find queries
 * are scoped structurally: `qb.andWhere(scope.where, scope.parameters)`. No rule → FALSE
 * (a forgotten grant yields 404, never someone else's record). A condition on a field
 * missing from `fields`, or an operator it does not know, throws: it fails closed.
 */
export function accessCondition<S extends SubjectType>(
  ability: AppAbility,
  action: Action,
  subjectType: S,
  fields: FieldMap<S>,
): SqlCondition {
  const parameters: Record<string, unknown> = {};
  const param = (value: unknown) => {
    const name = `acl_${(counter = (counter + 1) % 1_000_000)}_${Object.keys(parameters).length}`;
    parameters[name] = value;
    return `:${name}`;
  };
  const column = (field: string): FieldSql => {
    const sql = (fields as Record<string, FieldSql | undefined>)[field];
    if (!sql) throw new Error(`access scope: no SQL for ${subjectType}.${field}`);
    return sql;
  };
  const fieldCondition = (field: string, test: unknown): string => {
    const sql = column(field);
    const ops = test !== null && typeof test === 'object' && !Array.isArray(test) ? (test as Record<string, unknown>) : { $eq: test };
    const parts = Object.entries(ops).map(([op, value]) => {
      const values = Array.isArray(value) ? value : [value];
      switch (op) {
        case '$eq':
        case '$in':
          return anyOf(sql, op === '$eq' ? [value] : values, param);
        case '$ne':
        case '$nin':
          return `NOT (${anyOf(sql, op === '$ne' ? [value] : values, param)})`;
        default:
          throw new Error(`access scope: unsupported operator ${op} on ${subjectType}.${field}`);
      }
    });
    return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
  };
  const convert = (rule: { conditions?: unknown; inverted: boolean }): string => {
    const conditions = Object.entries((rule.conditions ?? {}) as Record<string, unknown>).map(([f, t]) => fieldCondition(f, t));
    const sql = conditions.length ? `(${conditions.join(' AND ')})` : 'TRUE';
    return rule.inverted ? `NOT ${sql}` : sql;
  };
  const where = rulesToCondition(ability.rulesFor(action, subjectType), convert, {
    and: (parts: string[]) => (parts.length ? `(${parts.join(' AND ')})` : 'TRUE'),
    or: (parts: string[]) => `(${parts.join(' OR ')})`,
    empty: () => 'TRUE',
  });
  return { where: where ?? 'FALSE', parameters };
}

function anyOf(sql: FieldSql, values: unknown[], param: (v: unknown) => string): string {
  if (typeof sql === 'string') {
    return values.length === 1 ? `${sql} = ${param(values[0])}` : `${sql} = ANY(${param(values)})`;
  }
  const one = (v: unknown) => ('array' in sql ? `${param(v)} = ANY(${sql.array})` : sql.contains(param(v)));
  return values.length === 1 ? one(values[0]) : `(${values.map(one).join(' OR ')})`;
}
