import type { ColumnDescriptor } from '../catalogue/column-schema';
import { normaliseLinkageValue } from './pseudonym';

/** One refused cell or line. `message` names the rule, never the value (a bad value may be a real identifier). */
export interface RowError {
  line: number;
  column: string | null;
  message: string;
}

export type CellResult = { ok: true; value: string | null } | { ok: false; message: string };
export type CellCheck = (raw: string) => CellResult;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

const ok = (value: string | null): CellResult => ({ ok: true, value });
const fail = (message: string): CellResult => ({ ok: false, message });

function bounded(column: ColumnDescriptor, n: number): CellResult | null {
  if (column.min !== undefined && n < column.min) return fail(`must be at least the declared minimum ${column.min}`);
  if (column.max !== undefined && n > column.max) return fail(`must be at most the declared maximum ${column.max}`);
  return null;
}

function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The check of one column's cells; the value it returns is the canonical text the vault stores. */
export function cellCheck(column: ColumnDescriptor, pseudonymise: (raw: string) => string): CellCheck {
  if (column.role === 'linkage_key') {
    return (raw) => {
      const canonical = normaliseLinkageValue(raw);
      if (canonical === '') return fail('linkage key is required');
      if (column.type === 'integer' && !/^\d+$/.test(canonical)) return fail('must be an integer');
      return ok(pseudonymise(raw));
    };
  }
  const required = column.role === 'reference_key';
  const typed = typedCheck(column);
  return (raw) => {
    const value = raw.trim();
    if (value === '') return required ? fail('reference key is required') : ok(null);
    return typed(value);
  };
}

function typedCheck(column: ColumnDescriptor): CellCheck {
  switch (column.type) {
    case 'integer':
      return (v) => {
        if (!INTEGER.test(v)) return fail('must be an integer');
        const n = Number(v);
        if (!Number.isSafeInteger(n)) return fail('integer out of range');
        return bounded(column, n) ?? ok(String(n));
      };
    case 'number':
      return (v) => {
        if (!NUMBER.test(v)) return fail('must be a number');
        const n = Number(v);
        if (!Number.isFinite(n)) return fail('number out of range');
        return bounded(column, n) ?? ok(String(n));
      };
    case 'date':
      return (v) => (isCalendarDate(v) ? ok(v) : fail('must be an ISO date (YYYY-MM-DD)'));
    case 'boolean':
      return (v) => {
        const lower = v.toLowerCase();
        if (TRUE.has(lower)) return ok('t');
        if (FALSE.has(lower)) return ok('f');
        return fail('must be a boolean (true/false, 1/0, yes/no)');
      };
    case 'category': {
      const allowed = new Set(column.categories ?? []);
      return (v) => (allowed.has(v) ? ok(v) : fail('must be one of the declared categories'));
    }
    case 'text':
      return (v) => (v.includes('\u0000') ? fail('must not contain a NUL character') : ok(v));
  }
}

/** Escapes a value for PostgreSQL's COPY text format; null is `\N`. */
export function copyTextValue(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** How the header maps to the catalogue, or why it does not. */
export function matchHeader(columns: ColumnDescriptor[], header: string[]): { order: number[] } | { errors: RowError[] } {
  const names = header.map((h) => h.trim());
  const declared = new Set(columns.map((c) => c.name));
  const errors: RowError[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (!declared.has(name)) errors.push({ line: 1, column: null, message: 'the header names a column the dataset does not declare' });
    else if (seen.has(name)) errors.push({ line: 1, column: name, message: 'the header repeats this column' });
    seen.add(name);
  }
  for (const c of columns) if (!seen.has(c.name)) errors.push({ line: 1, column: c.name, message: 'the header lacks this declared column' });
  if (errors.length) return { errors };
  // order[i] = position in the CSV record of the catalogue's i-th column
  return { order: columns.map((c) => names.indexOf(c.name)) };
}

/**
 * Validates and converts one record (already mapped by the header) into a COPY text line.
 * Linkage values are replaced by their pseudonym here, before anything is written.
 */
export function compileRowValidator(
  columns: ColumnDescriptor[],
  order: number[],
  pseudonymise: (raw: string) => string,
): (record: string[], line: number) => { copyLine: string; errors: null } | { copyLine: null; errors: RowError[] } {
  const checks = columns.map((c) => cellCheck(c, pseudonymise));
  // Only text and declared categories can hold a character COPY escapes: the other canonical
  // values (a hex pseudonym, numbers, dates, t/f) are written as they are.
  const escapes = columns.map((c) => c.role !== 'linkage_key' && (c.type === 'text' || c.type === 'category'));
  const width = order.length;
  return (record, line) => {
    if (record.length !== width) {
      return { copyLine: null, errors: [{ line, column: null, message: `expected ${width} fields, found ${record.length}` }] };
    }
    let errors: RowError[] | null = null;
    const out: string[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const result = checks[i](record[order[i]]);
      if (result.ok) out[i] = result.value === null ? '\\N' : escapes[i] ? copyTextValue(result.value) : result.value;
      else (errors ??= []).push({ line, column: columns[i].name, message: result.message });
    }
    return errors ? { copyLine: null, errors } : { copyLine: out.join('\t') + '\n', errors: null };
  };
}
