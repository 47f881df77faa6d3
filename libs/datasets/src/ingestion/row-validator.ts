import type { ColumnDescriptor } from '../catalogue/column-schema';
import { normaliseLinkageValue } from './pseudonym';

/** One refused cell or line. `message` names the rule, never the value (a bad value may be a real identifier). */
export interface RowError {
  line: number;
  column: string | null;
  message: string;
}

/** A refused cell: the rule it breaks (never its value). One instance per rule and column, made when the check is compiled. */
export class Refusal {
  constructor(readonly message: string) {}
}

/** A cell's COPY text (escaped, `\\N` for null), or why it is refused: no object is made for an accepted cell. */
export type CellCheck = (raw: string) => string | Refusal;

const INTEGER = /^[+-]?\d+$/;
/** An integer already in canonical form (no sign, no leading zero) and safe: kept as it is. */
const PLAIN_INTEGER = /^(0|[1-9]\d{0,14})$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);
const NULL = '\\N';

/** The bounds of a numeric column, as refusals made once. */
function bounds(column: ColumnDescriptor): (n: number) => Refusal | null {
  const below = new Refusal(`must be at least the declared minimum ${column.min}`);
  const above = new Refusal(`must be at most the declared maximum ${column.max}`);
  return (n) => (column.min !== undefined && n < column.min ? below : column.max !== undefined && n > column.max ? above : null);
}

function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The check of one column's cells; the text it returns is the canonical value as the vault stores it, COPY-escaped. */
export function cellCheck(column: ColumnDescriptor, pseudonymise: (raw: string) => string): CellCheck {
  if (column.role === 'linkage_key') {
    const missing = new Refusal('linkage key is required');
    const notInteger = new Refusal('must be an integer');
    // A hex pseudonym needs no COPY escape.
    return (raw) => {
      const canonical = normaliseLinkageValue(raw);
      if (canonical === '') return missing;
      if (column.type === 'integer' && !/^\d+$/.test(canonical)) return notInteger;
      return pseudonymise(raw);
    };
  }
  const missing = column.role === 'reference_key' ? new Refusal('reference key is required') : null;
  const typed = typedCheck(column);
  return (raw) => {
    const value = raw.trim();
    if (value === '') return missing ?? NULL;
    return typed(value);
  };
}

function typedCheck(column: ColumnDescriptor): CellCheck {
  switch (column.type) {
    case 'integer': {
      const notInteger = new Refusal('must be an integer');
      const outOfRange = new Refusal('integer out of range');
      const bounded = bounds(column);
      return (v) => {
        const plain = PLAIN_INTEGER.test(v);
        if (!plain && !INTEGER.test(v)) return notInteger;
        const n = Number(v);
        if (!Number.isSafeInteger(n)) return outOfRange;
        return bounded(n) ?? (plain ? v : String(n));
      };
    }
    case 'number': {
      const notNumber = new Refusal('must be a number');
      const outOfRange = new Refusal('number out of range');
      const bounded = bounds(column);
      return (v) => {
        if (!NUMBER.test(v)) return notNumber;
        const n = Number(v);
        if (!Number.isFinite(n)) return outOfRange;
        return bounded(n) ?? String(n);
      };
    }
    case 'date': {
      const notDate = new Refusal('must be an ISO date (YYYY-MM-DD)');
      return (v) => (isCalendarDate(v) ? v : notDate);
    }
    case 'boolean': {
      const notBoolean = new Refusal('must be a boolean (true/false, 1/0, yes/no)');
      return (v) => {
        const lower = v.toLowerCase();
        return TRUE.has(lower) ? 't' : FALSE.has(lower) ? 'f' : notBoolean;
      };
    }
    case 'category': {
      // Each declared category's COPY text, escaped once.
      const allowed = new Map((column.categories ?? []).map((c) => [c, copyTextValue(c)]));
      const undeclared = new Refusal('must be one of the declared categories');
      return (v) => allowed.get(v) ?? undeclared;
    }
    case 'text': {
      const nul = new Refusal('must not contain a NUL character');
      return (v) => (v.includes('\u0000') ? nul : copyTextValue(v));
    }
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
  const width = order.length;
  return (record, line) => {
    if (record.length !== width) {
      return { copyLine: null, errors: [{ line, column: null, message: `expected ${width} fields, found ${record.length}` }] };
    }
    let errors: RowError[] | null = null;
    let copyLine = '';
    for (let i = 0; i < width; i++) {
      const result = checks[i](record[order[i]]);
      if (typeof result === 'string') copyLine += i === 0 ? result : '\t' + result;
      else (errors ??= []).push({ line, column: columns[i].name, message: result.message });
    }
    return errors ? { copyLine: null, errors } : { copyLine: copyLine + '\n', errors: null };
  };
}
