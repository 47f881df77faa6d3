import fc from 'fast-check';
import { secondarySuppression, SuppressionCell, tableLines } from './secondary-suppression';

/** A full table with every margin (as GROUP BY CUBE answers it): margins are sums of their lines. */
function cube(sizes: number[], counts: number[]): SuppressionCell[] {
  const details: number[][] = [[]];
  for (const size of sizes) details.splice(0, details.length, ...details.flatMap((p) => Array.from({ length: size }, (_, v) => [...p, v])));
  const cells = new Map<string, SuppressionCell>();
  details.forEach((keys, i) => {
    if (counts[i % counts.length] === 0) return; // an empty cell is not published
    for (let mask = 0; mask < 1 << sizes.length; mask++) {
      const k = keys.map((v, d) => ((mask >> d) & 1 ? null : String(v)));
      const id = JSON.stringify(k);
      const cell = cells.get(id) ?? { keys: k, count: 0, suppressed: false };
      cell.count += counts[i % counts.length];
      cells.set(id, cell);
    }
  });
  return [...cells.values()];
}

const tables = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    counts: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 64 }),
    threshold: fc.integer({ min: 2, max: 30 }),
  })
  .map(({ sizes, counts, threshold }) => {
    const cells = cube(sizes, counts);
    cells.forEach((c) => (c.suppressed = c.count < threshold));
    return cells;
  })
  .filter((cells) => cells.length > 0);

describe('secondarySuppression', () => {
  it('leaves every line of the table with zero or at least two suppressed cells (property)', () => {
    fc.assert(
      fc.property(tables, (cells) => {
        const primary = cells.map((c) => c.suppressed);
        secondarySuppression(cells);
        for (const line of tableLines(cells)) {
          const hidden = line.filter((i) => cells[i].suppressed).length;
          expect(hidden === 0 || hidden >= 2).toBe(true);
        }
        // Primary suppressions stay; a second pass has nothing left to do (a fixed point).
        primary.forEach((p, i) => p && expect(cells[i].suppressed).toBe(true));
        expect(secondarySuppression(cells)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a suppressed detail be recovered as margin minus the published cells of its line (property)', () => {
    fc.assert(
      fc.property(tables, (cells) => {
        secondarySuppression(cells);
        for (const line of tableLines(cells)) {
          const hidden = line.filter((i) => cells[i].suppressed);
          if (hidden.length === 1) throw new Error(`cell ${JSON.stringify(cells[hidden[0]].keys)} is recoverable by subtraction`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('chooses the smallest cell of the line as the complementary suppression', () => {
    // One dimension: a=3 (primary), b=20, c=12, total=35.
    const cells: SuppressionCell[] = [
      { keys: ['a'], count: 3, suppressed: true },
      { keys: ['b'], count: 20, suppressed: false },
      { keys: ['c'], count: 12, suppressed: false },
      { keys: [null], count: 35, suppressed: false },
    ];
    expect(secondarySuppression(cells)).toEqual([2]);
  });

  it('suppresses nothing when nothing is suppressed', () => {
    const cells = cube([2, 3], [20, 30, 40]);
    expect(secondarySuppression(cells)).toEqual([]);
  });
});
