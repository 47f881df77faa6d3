/** The column declaration of a dataset: the only source of vault identifiers and of the public domain of each column. */
export const COLUMN_TYPES = ['integer', 'number', 'text', 'date', 'boolean', 'category'] as const;
export const COLUMN_ROLES = ['linkage_key', 'quasi_identifier', 'sensitive', 'attribute', 'reference_key'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export type ColumnRole = (typeof COLUMN_ROLES)[number];
export type DatasetKind = 'person' | 'reference';
/** One row per person (checked at ingestion), or any number (issue 13; the default). */
export type DatasetLevel = 'person' | 'transaction';
export const DATASET_LEVELS: readonly DatasetLevel[] = ['person', 'transaction'];

/** A column as the catalogue stores it (see docs/internal-interfaces.md). */
export interface ColumnDescriptor {
  name: string;
  type: ColumnType;
  role: ColumnRole;
  min?: number;
  max?: number;
  categories?: string[];
}

/** Column names become quoted vault identifiers: PostgreSQL's 63-byte limit and no quoting surprises. */
export const COLUMN_NAME_PATTERN = /^[a-z][a-zA-Z0-9_]{0,62}$/;

/** Types a linkage key may be declared with (it is always stored as a text pseudonym). */
const LINKAGE_TYPES: ColumnType[] = ['text', 'integer'];
/** Types a public join code may have. */
const REFERENCE_TYPES: ColumnType[] = ['text', 'integer', 'category'];
const KEY_ROLES: ColumnRole[] = ['linkage_key', 'reference_key'];

export interface SchemaProblem {
  field: string;
  message: string;
}

/** Numeric columns that a computation may sum or average: they need declared bounds. */
export function isSummable(column: Pick<ColumnDescriptor, 'type' | 'role'>): boolean {
  return (column.type === 'integer' || column.type === 'number') && !KEY_ROLES.includes(column.role);
}

/**
 * The policy checks of a well-formed column list (shape is the DTO's job): unique names,
 * key roles, bounds and categories. Returns the dataset kind, or the problems found.
 */
export function checkColumns(columns: ColumnDescriptor[]): { kind: DatasetKind; problems: [] } | { kind: null; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    const field = `columns.${i}`;
    if (seen.has(c.name)) problems.push({ field: `${field}.name`, message: 'column names must be unique' });
    seen.add(c.name);
    if (c.role === 'linkage_key' && !LINKAGE_TYPES.includes(c.type)) {
      problems.push({ field: `${field}.type`, message: `a linkage_key must be of type ${LINKAGE_TYPES.join(' or ')}` });
    }
    if (c.role === 'reference_key' && !REFERENCE_TYPES.includes(c.type)) {
      problems.push({ field: `${field}.type`, message: `a reference_key must be of type ${REFERENCE_TYPES.join(', ')}` });
    }
    if (isSummable(c)) {
      if (c.min === undefined || c.max === undefined) problems.push({ field, message: 'a numeric column needs min and max bounds' });
      else if (!(c.min < c.max)) problems.push({ field, message: 'min must be lower than max' });
      if (c.type === 'integer' && [c.min, c.max].some((b) => b !== undefined && !Number.isSafeInteger(b))) {
        problems.push({ field, message: 'the bounds of an integer column must be integers' });
      }
    } else if (c.min !== undefined || c.max !== undefined) {
      problems.push({ field, message: 'only numeric non-key columns take min and max' });
    }
    if (c.type === 'category') {
      const cats = c.categories ?? [];
      if (cats.length === 0) problems.push({ field: `${field}.categories`, message: 'a category column needs a non-empty list of categories' });
      if (new Set(cats).size !== cats.length) problems.push({ field: `${field}.categories`, message: 'categories must be distinct' });
      if (cats.some((v) => v.trim() !== v || v === '')) problems.push({ field: `${field}.categories`, message: 'categories must be non-empty and without surrounding spaces' });
    } else if (c.categories !== undefined) {
      problems.push({ field: `${field}.categories`, message: 'only category columns take categories' });
    }
  });

  const linkage = columns.filter((c) => c.role === 'linkage_key').length;
  const reference = columns.filter((c) => c.role === 'reference_key').length;
  let kind: DatasetKind | null = null;
  if (linkage === 1) kind = 'person';
  else if (linkage > 1) problems.push({ field: 'columns', message: 'a person dataset has exactly one linkage_key' });
  else if (reference === 1) kind = 'reference';
  else if (reference > 1) problems.push({ field: 'columns', message: 'a reference dataset has exactly one reference_key' });
  else problems.push({ field: 'columns', message: 'a dataset needs one linkage_key (person data) or one reference_key (reference data)' });

  return problems.length || !kind ? { kind: null, problems } : { kind, problems: [] };
}

/** Copies only the declared fields, in a stable order, so nothing extra reaches the catalogue. */
export function normaliseColumns(columns: ColumnDescriptor[]): ColumnDescriptor[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    role: c.role,
    ...(c.min !== undefined ? { min: c.min } : {}),
    ...(c.max !== undefined ? { max: c.max } : {}),
    ...(c.categories !== undefined ? { categories: [...c.categories] } : {}),
  }));
}
