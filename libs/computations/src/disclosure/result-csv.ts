import type { ComputationResult } from './result';

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The published table as CSV: the result's columns, then `suppressed` and `reason`. */
export function resultCsv(result: ComputationResult): string {
  const header = [...result.columns, 'suppressed', 'reason'];
  const lines = [header.map(cell).join(',')];
  for (const row of result.rows) lines.push(header.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
