import type { ColumnDescriptor, ColumnType } from '../catalogue/column-schema';

/** Must match the pattern vault.finalise_version() checks (datasets migration). */
export const VERSION_TABLE_PATTERN = /^ds_[0-9a-f]{32}_v[1-9][0-9]{0,8}$/;

/** The vault table of a dataset's n-th version, e.g. `ds_1f0c…e2_v3`. Catalogue-owned: never from user input. */
export function versionTableName(datasetId: string, versionNumber: number): string {
  const name = `ds_${datasetId.replace(/-/g, '').toLowerCase()}_v${versionNumber}`;
  if (!VERSION_TABLE_PATTERN.test(name)) throw new Error('invalid version table name');
  return name;
}

/** Double-quotes an identifier that the catalogue already constrained to a safe pattern. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const SQL_TYPES: Record<ColumnType, string> = {
  integer: 'bigint',
  number: 'double precision',
  text: 'text',
  date: 'date',
  boolean: 'boolean',
  category: 'text',
};

/** The vault column type; a linkage key always stores its pseudonym as text. */
export function sqlType(column: ColumnDescriptor): string {
  return column.role === 'linkage_key' ? 'text' : SQL_TYPES[column.type];
}

export function createTableSql(table: string, columns: ColumnDescriptor[]): string {
  const defs = columns.map((c) => {
    const required = c.role === 'linkage_key' || c.role === 'reference_key' ? ' NOT NULL' : '';
    return `${quoteIdent(c.name)} ${sqlType(c)}${required}`;
  });
  return `CREATE TABLE vault.${quoteIdent(table)} (${defs.join(', ')})`;
}

/**
 * FREEZE: the table was created in this same transaction, so its rows are written already
 * frozen and the first read does not rewrite every page to set hint bits.
 */
export function copySql(table: string, columns: ColumnDescriptor[]): string {
  return `COPY vault.${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN WITH (FREEZE)`;
}
