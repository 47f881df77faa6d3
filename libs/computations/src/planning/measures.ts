/** Exhaustive switches: a measure kind (or any union) forgotten in a branch fails to compile here. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
