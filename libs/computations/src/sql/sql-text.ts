/** PostgreSQL's identifier limit (NAMEDATALEN − 1 bytes). */
const MAX_IDENT_BYTES = 63;

/**
 * Quotes an identifier for PostgreSQL: wrapped in double quotes, inner quotes doubled.
 * Refuses what no catalogue name can be (empty, too long, NUL), so a bug upstream fails
 * loudly instead of reaching the database. Identifiers only ever come from the catalogue.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('empty identifier');
  if (name.includes('\0')) throw new TypeError('identifier contains NUL');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENT_BYTES) throw new TypeError('identifier too long');
  return `"${name.replace(/"/g, '""')}"`;
}

/** A vault version table of the catalogue (`ds_<32 hex>_v<n>`), optionally written `vault.<name>`. */
const VAULT_TABLE = /^(?:vault\.)?([a-z_][a-z0-9_]{0,62})$/;

/** The schema-qualified, quoted name of a catalogue vault table. */
export function vaultTable(table: string): string {
  const m = VAULT_TABLE.exec(table);
  if (!m) throw new TypeError('not a vault table name of the catalogue');
  return `vault.${quoteIdent(m[1])}`;
}

/** Positional parameters: every user value reaches SQL only as `$n` with a cast chosen by the catalogue. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Appends a value and returns `$n::cast`. */
  add(value: unknown, cast: string): string {
    if (!/^[a-z][a-z0-9 ]*(\[\])?$/.test(cast)) throw new TypeError('invalid cast');
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}
