/** bigint columns as JS numbers: row counts stay far below 2^53. */
export const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };
