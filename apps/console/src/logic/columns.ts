/** `covid_patients.commune` → `commune (covid_patients)`. */
export function prettyColumn(c: string): string {
  const [a, b] = c.split('.');
  return b ? `${b} (${a})` : c;
}
