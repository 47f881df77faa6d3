import type { RawKey } from './result';

export interface SuppressionCell {
  /** One key per dimension; null is the margin ("*") of that dimension. */
  keys: RawKey[];
  count: number;
  suppressed: boolean;
}

/** The lines of a table with margins: for each dimension, the cells that agree on every other key. */
export function tableLines(cells: SuppressionCell[]): number[][] {
  const dims = cells[0]?.keys.length ?? 0;
  const lines: number[][] = [];
  for (let d = 0; d < dims; d++) {
    const byRest = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const rest = JSON.stringify(c.keys.map((k, j) => (j === d ? '#' : k)));
      byRest.set(rest, [...(byRest.get(rest) ?? []), i]);
    });
    lines.push(...byRest.values());
  }
  return lines;
}

const margins = (c: SuppressionCell) => c.keys.filter((k) => k === null).length;

/**
 * Secondary suppression for a table published with its margins. Along every line of the
 * table (every dimension, margins included) a margin is the sum of the line's other
 * cells, so a line with exactly one suppressed cell gives it away by subtraction. Until
 * no such line remains, the smallest unsuppressed cell of such a line is suppressed too
 * (detail cells before margins, then key order, for a deterministic result). Terminates:
 * each pass suppresses at least one more cell or stops. Returns the newly suppressed indexes.
 */
export function secondarySuppression(cells: SuppressionCell[]): number[] {
  const lines = tableLines(cells);
  const added: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (line.filter((i) => cells[i].suppressed).length !== 1) continue;
      const candidates = line.filter((i) => !cells[i].suppressed);
      if (candidates.length === 0) continue;
      candidates.sort((a, b) => cells[a].count - cells[b].count || margins(cells[a]) - margins(cells[b]) || a - b);
      cells[candidates[0]].suppressed = true;
      added.push(candidates[0]);
      changed = true;
    }
  }
  return added;
}
