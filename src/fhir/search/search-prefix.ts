/**
 * The comparison prefixes of number, date and quantity values (search.html#prefix): `ge2020`,
 * `lt5.4`. No prefix means eq.
 */
export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type SearchPrefix = (typeof PREFIXES)[number];

export function splitPrefix(value: string): { prefix: SearchPrefix; rest: string } {
  const head = value.slice(0, 2);
  if ((PREFIXES as readonly string[]).includes(head)) return { prefix: head as SearchPrefix, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}
